package dev.atlas.spaces.heap;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedHeapTest {
    @Test
    void doubleFreeAndBadPointersAreRefused() {
        try (Arena a = Arena.ofConfined()) {
            SharedHeap h = SharedHeap.format(new SegmentWords(a.allocate(1 << 16, 16)));
            long p = h.allocate(40);
            assertTrue(h.usableSize(p) >= 40);
            h.free(p);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.free(p));
            assertTrue(e.getMessage().contains("double free"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> h.free(p + 16));
            assertThrows(IllegalArgumentException.class, () -> h.free(1 << 20));
            assertThrows(IllegalArgumentException.class, () -> h.allocate(0));
            assertEquals(p, h.allocate(33), "the freed block of the same class is reused");
            h.check();
        }
    }

    @Test
    void notFormattedIsRefused() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(1 << 16, 16);
            assertThrows(IllegalStateException.class, () -> SharedHeap.open(new SegmentWords(m)));
        }
    }

    @Test
    void threadsAllocateAndFreeWithoutSharingABlock() throws Exception {
        try (Arena a = Arena.ofShared()) {
            SharedHeap h = SharedHeap.format(new SegmentWords(a.allocate(8 << 20, 16)));
            ConcurrentHashMap<Long, Boolean> live = new ConcurrentHashMap<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                int seed = t;
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        java.util.Random r = new java.util.Random(seed);
                        List<Long> mine = new ArrayList<>();
                        for (int i = 0; i < 20_000; i++) {
                            if (mine.isEmpty() || r.nextBoolean()) {
                                long p = h.allocate(1 + r.nextInt(200));
                                if (live.putIfAbsent(p, true) != null) throw new AssertionError("block " + p + " handed out twice");
                                mine.add(p);
                            } else {
                                long p = mine.remove(r.nextInt(mine.size()));
                                live.remove(p);
                                h.free(p);
                            }
                        }
                    } catch (Throwable x) {
                        errors.add(x);
                    }
                }));
            }
            start.countDown();
            for (Thread t : ts) t.join();
            assertEquals(List.of(), errors);
            List<Integer> free = h.check();
            Set<Long> distinct = new HashSet<>(live.keySet());
            assertEquals(live.size(), distinct.size());
            assertTrue(free.stream().mapToInt(Integer::intValue).sum() > 0);
        }
    }
}
