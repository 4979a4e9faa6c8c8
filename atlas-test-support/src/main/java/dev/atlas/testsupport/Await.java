package dev.atlas.testsupport;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting in tests for a condition that another thread (or process) makes true: the
 * condition is what the test waits for, never a length of time. The bound only turns a
 * hang into a failure naming what did not happen; it is generous (the machines are shared
 * and noisy) and no test asserts how long anything took.
 *
 * <p>Threading: stateless; any thread.
 */
public final class Await {
    /** The default liveness bound. */
    public static final Duration BOUND = Duration.ofSeconds(60);

    private Await() {}

    /** Returns once {@code condition} holds; fails naming {@code what} after {@link #BOUND}. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, BOUND, condition);
    }

    /** Returns once {@code condition} holds; fails naming {@code what} after {@code bound}. */
    public static void until(String what, Duration bound, BooleanSupplier condition) {
        until(() -> what, bound, condition);
    }

    /**
     * Returns once {@code condition} holds; fails after {@code bound} with the message
     * {@code what} gives then (e.g. the state reached so far).
     */
    public static void until(Supplier<String> what, Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        long pause = 100_000;   // 0.1 ms, doubling up to 10 ms between checks
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not reached within " + bound.toSeconds() + " s: " + what.get());
            }
            LockSupport.parkNanos(pause);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what.get());
            }
            pause = Math.min(pause * 2, 10_000_000);
        }
    }
}
