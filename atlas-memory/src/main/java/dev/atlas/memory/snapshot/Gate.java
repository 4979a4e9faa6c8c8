package dev.atlas.memory.snapshot;

import dev.atlas.core.ViewKey;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gate of a cut's epoch view: writers entering a scope of that view wait here until the
 * cut is done.
 */
final class Gate {
    /*
     * Implementation notes.
     *
     * One-shot: open() counts the latch down once. `firstArrival` is the earliest
     * System.nanoTime() at which a writer started waiting (Long.MAX_VALUE: none), so that
     * the pause the first-stopped writer sees is openedAt - firstArrival.
     */
    static final ViewKey<Gate> KEY = ViewKey.of("atlas.snapshot.cut-gate", Gate.class);

    private final CountDownLatch latch = new CountDownLatch(1);
    private final AtomicLong firstArrival = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong waiters = new AtomicLong();

    /** Waits (uninterruptibly, keeping the interrupt status) until the gate is open. */
    void pass() {
        if (latch.getCount() == 0) {
            return;
        }
        firstArrival.accumulateAndGet(System.nanoTime(), Math::min);
        waiters.incrementAndGet();
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Opens the gate; returns the nanoTime of the first writer's arrival, or -1 if none came. */
    long open() {
        latch.countDown();
        long first = firstArrival.get();
        return first == Long.MAX_VALUE ? -1 : first;
    }

    long waiters() {
        return waiters.get();
    }
}
