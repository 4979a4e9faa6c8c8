package dev.atlas.spaces.collections;

import dev.atlas.spaces.AttachOptions;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;
import dev.atlas.spaces.SpaceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared structures against the JDK's collections, and their errors, in one JVM. */
class SharedCollectionsTest {
    @TempDir
    Path tmp;

    @Test
    void mapsBehaveAsTheJdkMapsOnRandomOperations() {
        try (SharedSpace s = SpaceDirectory.at(tmp).create("maps", 16 << 20, 0600)) {
            SharedHashMap hash = SharedHashMap.create(s, "hash", 64);
            SharedSkipListMap ordered = SharedSkipListMap.create(s, "ordered");
            Map<Long, Long> hashModel = new HashMap<>();
            TreeMap<Long, Long> model = new TreeMap<>();
            Random r = new Random(20);
            for (int i = 0; i < 20_000; i++) {
                long k = r.nextInt(600) - 300;
                long v = r.nextLong() | 1;
                switch (r.nextInt(5)) {
                    case 0, 1 -> {
                        assertEquals(hashModel.put(k, v) == null, hash.put(k, v));
                        assertEquals(model.put(k, v) == null, ordered.put(k, v));
                    }
                    case 2 -> {
                        assertEquals(hashModel.remove(k) != null, hash.remove(k));
                        assertEquals(model.remove(k) != null, ordered.remove(k));
                    }
                    case 3 -> {
                        assertEquals(hashModel.getOrDefault(k, 0L), hash.getOrDefault(k, 0L));
                        assertEquals(model.getOrDefault(k, 0L), ordered.get(k).orElse(0L));
                    }
                    default -> {
                        Long c = model.ceilingKey(k);
                        assertEquals(c == null ? -999 : c, ordered.ceilingKey(k).orElse(-999));
                    }
                }
            }
            assertEquals(hashModel.size(), hash.check());
            assertEquals(hashModel.size(), hash.size());
            assertEquals(model.size(), ordered.check());
            assertEquals(model.size(), ordered.size());
            List<Long> range = new ArrayList<>();
            ordered.forEach(-50, 75, (k, v) -> {
                range.add(k);
                assertEquals(model.get(k), v);
            });
            assertEquals(new ArrayList<>(model.subMap(-50L, 75L).keySet()), range);
            Map<Long, Long> seen = new HashMap<>();
            hash.forEach(seen::put);
            assertEquals(hashModel, seen);
        }
    }

    @Test
    void vectorGrowsAcrossChunksWithoutMovingElements() {
        try (SharedSpace s = SpaceDirectory.at(tmp).create("vec", 16 << 20, 0600)) {
            SharedVector v = SharedVector.create(s, "v");
            for (long i = 0; i < 100_000; i++) assertEquals(i, v.append(i * 3));
            assertEquals(100_000, v.size());
            for (long i = 0; i < 100_000; i += 7) assertEquals(i * 3, v.get(i));
            v.set(99_999, -5);
            assertEquals(-5, v.get(99_999));
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> v.get(100_000));
            assertTrue(e.getMessage().contains("100000") && e.getMessage().contains("size 100000"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> v.get(-1));
        }
    }

    @Test
    void readOnlyAndRelocatedAttachersSeeTheSameStructures() {
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        try (SharedSpace s = dir.create("kv", 4 << 20, 0600)) {
            SharedHashMap.create(s, "hash", 16).put(1, 100);
            SharedSkipListMap.create(s, "ordered").put(2, 200);
            SharedVector.create(s, "vector").append(300);
            try (SharedSpace ro = dir.attach("kv", AttachOptions.READ_ONLY.withReloc())) {
                assertTrue(ro.relocated(), "the creator holds the fixed address in this JVM");
                SharedHashMap hash = SharedHashMap.open(ro, "hash");
                SharedSkipListMap ordered = SharedSkipListMap.open(ro, "ordered");
                SharedVector vector = SharedVector.open(ro, "vector");
                assertEquals(100, hash.getOrDefault(1, -1));
                assertEquals(200, ordered.get(2).orElse(-1));
                assertEquals(300, vector.get(0));
                SpaceException e = assertThrows(SpaceException.class, () -> hash.put(3, 3));
                assertEquals(SpaceException.Reason.READ_ONLY, e.reason());
                assertTrue(e.getMessage().contains("SharedHashMap.put") && e.getMessage().contains("kv"), e.getMessage());
                assertEquals(SpaceException.Reason.READ_ONLY, assertThrows(SpaceException.class, () -> ordered.remove(2)).reason());
                assertEquals(SpaceException.Reason.READ_ONLY, assertThrows(SpaceException.class, () -> vector.append(1)).reason());
                assertEquals(1, hash.check());
            }
        }
    }

    @Test
    void badValuesRootsAndPointersAreClearErrorsThatChangeNothing() {
        try (SharedSpace s = SpaceDirectory.at(tmp).create("bad", 4 << 20, 0600)) {
            SharedHashMap hash = SharedHashMap.create(s, "hash", 16);
            SharedVector vector = SharedVector.create(s, "vector");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hash.put(1, Long.MIN_VALUE));
            assertTrue(e.getMessage().contains(Long.toString(Long.MIN_VALUE)), e.getMessage());
            assertEquals(0, hash.size());
            assertThrows(IllegalArgumentException.class, () -> vector.append(Long.MIN_VALUE));
            assertEquals(0, vector.size());
            SpaceException wrongType = assertThrows(SpaceException.class, () -> SharedSkipListMap.open(s, "hash"));
            assertEquals(SpaceException.Reason.ROOT, wrongType.reason());
            assertTrue(wrongType.getMessage().contains(SharedHashMap.ROOT_TYPE), wrongType.getMessage());
            SpaceException notAMap = assertThrows(SpaceException.class,
                    () -> SharedHashMap.open(Region.of(s), vector.address()));
            assertEquals(SpaceException.Reason.DAMAGED, notAMap.reason());
            IllegalStateException outside = assertThrows(IllegalStateException.class,
                    () -> SharedVector.open(Region.of(s), 0x1000));
            assertTrue(outside.getMessage().contains("0x1000"), outside.getMessage());
            assertThrows(IllegalArgumentException.class, () -> SharedHashMap.create(s, "zero", 0));
        }
    }
}
