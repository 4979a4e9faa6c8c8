package dev.atlas.patch.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many threads (platform and virtual) hitting objects made before an apply at once: each object is
 * rebuilt exactly once, no thread returns before its object's rebuild ended, and every thread sees
 * the state the rebuild wrote (plain fields: only the marker's ordering makes them visible). Rounds
 * where the first rebuild of each object throws: the exception reaches one caller, the others
 * retry, and the object is still rebuilt exactly once to its end.
 */
class RebuildMarksStressTest {
    static final int THREADS = 64;
    static final int OBJECTS = 8;
    static final int ROUNDS = 50;

    /** An object made before the apply: plain fields, as a real class's. */
    static final class Old {
        int[] introspectors = {1};
        boolean rebuilt;
        int rebuilds;   // written only inside the rebuild
    }

    @Test
    void everyObjectIsRebuiltOnceAndEveryCallerSeesItsState() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            run(round, false);
        }
    }

    @Test
    void aThrowingFirstRebuildIsRetriedAndStillRunsToItsEndOnce() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            run(round, true);
        }
    }

    private void run(int round, boolean firstThrows) throws Exception {
        RebuildMarks marks = new RebuildMarks();
        Old[] objects = new Old[OBJECTS];
        AtomicInteger[] attempts = new AtomicInteger[OBJECTS];
        for (int i = 0; i < OBJECTS; i++) {
            objects[i] = new Old();
            attempts[i] = new AtomicInteger();
        }
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger thrown = new AtomicInteger();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int index = t % OBJECTS;
            Runnable body = () -> {
                try {
                    start.await();
                    Old o = objects[index];
                    for (;;) {
                        try {
                            marks.ensureRebuilt(o, self -> {
                                Old x = (Old) self;
                                if (firstThrows && attempts[index].getAndIncrement() == 0) {
                                    x.introspectors = new int[] {9};   // a partial write, then a failure
                                    throw new IllegalStateException("first rebuild fails");
                                }
                                x.introspectors = new int[] {1, 2};
                                x.rebuilds++;
                                x.rebuilt = true;
                            });
                            break;
                        } catch (IllegalStateException e) {
                            thrown.incrementAndGet();   // the caller that ran the failing rebuild: use the object again
                        }
                    }
                    Old o2 = objects[index];
                    if (!o2.rebuilt || o2.introspectors.length != 2 || o2.rebuilds != 1) {
                        failures.add(new AssertionError("round " + round + ": a caller went on before the rebuild ended, or "
                                + "did not see it: rebuilt=" + o2.rebuilt + " rebuilds=" + o2.rebuilds));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            };
            threads.add(t % 2 == 0 ? Thread.ofPlatform().unstarted(body) : Thread.ofVirtual().unstarted(body));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(failures.isEmpty(), () -> failures.toString());
        for (Old o : objects) {
            assertEquals(1, o.rebuilds, "round " + round + ": rebuilt exactly once");
            assertTrue(marks.isBuilt(o));
        }
        assertEquals(OBJECTS, marks.rebuiltCount());
        assertEquals(firstThrows ? OBJECTS : 0, thrown.get(), "each failure reached exactly one caller");
        assertEquals(firstThrows ? OBJECTS : 0, marks.failedCount());
    }
}
