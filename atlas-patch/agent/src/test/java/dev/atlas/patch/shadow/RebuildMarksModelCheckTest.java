package dev.atlas.patch.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking (Lincheck) of {@link RebuildMarks}: every interleaving of three threads that use
 * one object made before the apply at once (the shared fields published through a static volatile,
 * so Lincheck sees the races). Invariants: the rebuild runs to its end exactly once; no call returns
 * before it ended, and each sees what it wrote (a plain field); a failing first rebuild reaches
 * exactly one caller, leaves no mark, and the object is still rebuilt once.
 */
// the whole class's time depends on the machine's load, which no test here asserts: a bound only against a hang
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class RebuildMarksModelCheckTest {
    static final int INVOCATIONS = 1_000;

    /** What one scenario shares. */
    static final class Shared {
        final RebuildMarks marks = new RebuildMarks();
        final Object bean = new Object();
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger thrown = new AtomicInteger();
        final AtomicInteger stale = new AtomicInteger();
        int state;   // plain: written by the rebuild, read by every caller after ensureRebuilt returned
    }

    private static volatile Shared published;
    private static volatile Throwable failure;

    private static Thread caller(Shared s, boolean firstThrows) {
        return new Thread(() -> {
            try {
                for (;;) {
                    try {
                        s.marks.ensureRebuilt(s.bean, self -> {
                            if (firstThrows && s.attempts.getAndIncrement() == 0) {
                                throw new IllegalStateException("first rebuild fails");
                            }
                            s.state = 42;
                            s.completed.incrementAndGet();
                        });
                        break;
                    } catch (IllegalStateException e) {
                        s.thrown.incrementAndGet();
                    }
                }
                if (s.state != 42) {
                    s.stale.incrementAndGet();
                }
            } catch (Throwable t) {
                failure = t;
            }
        });
    }

    private static void scenario(boolean firstThrows) {
        Shared s = new Shared();
        published = s;
        failure = null;
        Thread[] threads = {caller(s, firstThrows), caller(s, firstThrows), caller(s, firstThrows)};
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        assertEquals(null, failure);
        assertEquals(1, s.completed.get(), "rebuilt exactly once");
        assertEquals(0, s.stale.get(), "a caller returned before the rebuild ended, or did not see its write");
        assertTrue(s.marks.isBuilt(s.bean));
        assertEquals(firstThrows ? 1 : 0, s.thrown.get(), "the failure reached exactly one caller");
        assertEquals(firstThrows ? 1 : 0, s.marks.failedCount());
    }

    @Test
    void threeCallersRebuildOneObjectOnce() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> scenario(false));
    }

    @Test
    void aFailingFirstRebuildIsRetriedByTheOthers() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> scenario(true));
    }
}
