package dev.atlas.spaces.collections;

import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;
import dev.atlas.memory.snapshot.MemorySnapshot;
import dev.atlas.memory.snapshot.SnapshotCut;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;
import dev.atlas.spaces.SpaceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * atlas-memory's {@link MemorySnapshot} of a space's segment holding a {@link SharedHashMap},
 * taken while writer threads keep inserting and updating: the map read from the snapshot
 * checks out, its size counter is exact (no update in progress at a quiescent cut), every
 * writer's keys in it are a prefix of its sequence with the values of that prefix, and the
 * writers kept going while the snapshot was read.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedHashMapSnapshotTest {
    private static final int WRITERS = 2;

    @TempDir
    Path tmp;

    private static long key(int w, long i) {
        return w * 1_000_000_000L + i;
    }

    /** Writer w's i-th put sets key i; every put also bumps key i/2 to a value that says i. */
    private static long value(int w, long i) {
        return i * 31 + w;
    }

    @Test
    void aSnapshotTakenWhileWritersRunHoldsAConsistentMap() throws Exception {
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        try (SharedSpace s = dir.create("snap", 16 << 20, 0600);
             ViewSpace views = ViewSpace.create("snap-writers")) {
            SharedHashMap map = SharedHashMap.create(s, "kv", 512);   // few buckets: long chains across pages
            AtomicLongArray done = new AtomicLongArray(WRITERS);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                writers.add(Thread.ofPlatform().daemon().name("map-writer-" + w).start(() -> {
                    try {
                        for (long i = 0; !stop.get(); i++) {
                            try (ViewScope op = SnapshotCut.enter(views)) {
                                map.put(key(id, i), value(id, i));
                                map.put(key(id, i / 2), value(id, i));   // an update of an older key
                            }
                            done.set(id, i + 1);
                            views.quiescent();
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            try {
                while (done.get(0) + done.get(1) < 5_000 && failure.get() == null) Thread.onSpinWait();
                SnapshotCut cut = SnapshotCut.quiescent(views, writers, Duration.ofSeconds(60));
                try (MemorySnapshot snap = MemorySnapshot.builder().region("space", s.segment()).cut(cut).take()) {
                    long[] atCut = {done.get(0), done.get(1)};   // read after the cut: at least what the snapshot holds
                    Region frozen = Region.of(snap.region("space"), s.addressOf(0));
                    SharedHashMap copy = SharedHashMap.open(frozen, s.root("kv", SharedHashMap.ROOT_TYPE));
                    long live = copy.check();
                    assertEquals(live, copy.size(), "no update was in progress at the cut: the size counter is exact");
                    long[] count = new long[WRITERS];
                    long[] max = {-1, -1};
                    List<String> wrong = new ArrayList<>();
                    copy.forEach((k, v) -> {
                        int w = (int) (k / 1_000_000_000L);
                        long i = k % 1_000_000_000L;
                        count[w]++;
                        max[w] = Math.max(max[w], i);
                        // key i holds value(i), or value(j) of the latest j with j/2 == i that was done
                        if (v != value(w, i) && v != value(w, 2 * i) && v != value(w, 2 * i + 1)) {
                            wrong.add(k + "=" + v);
                        }
                    });
                    assertEquals(List.of(), wrong.subList(0, Math.min(5, wrong.size())));
                    for (int w = 0; w < WRITERS; w++) {
                        long n = count[w];
                        assertTrue(n > 0, "writer " + w + " has keys in the snapshot");
                        assertEquals(n, max[w] + 1, "writer " + w + ": the keys in the snapshot are a prefix 0.." + max[w]);
                        assertTrue(n <= atCut[w], "writer " + w + ": " + n + " keys, " + atCut[w] + " done at the cut");
                        // the last put of the prefix also updated key (n-1)/2 to say n-1: updates are not torn from puts
                        assertEquals(value(w, n - 1), copy.getOrDefault(key(w, (n - 1) / 2), -1));
                    }
                    frozen.heap().check();
                    assertThrows(SpaceException.class, () -> copy.put(1, 1), "a snapshot is read-only");
                    long seen = done.get(0) + done.get(1);
                    while (done.get(0) + done.get(1) == seen && failure.get() == null) Thread.onSpinWait();
                }
            } finally {
                stop.set(true);
                for (Thread t : writers) t.join();
            }
            assertNull(failure.get(), () -> "a writer failed: " + failure.get());
            assertEquals(map.check(), map.size(), "the live map checks out after the writers stopped");
        }
    }
}
