package dev.atlas.bench.delay;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The timing of a scenario: migrations paced evenly across a window, and worker throughput
 * (iterations per second summed over workers) measured over quiet and migrating windows.
 */
final class ThroughputWindows {

    private ThroughputWindows() {
    }

    @FunctionalInterface
    interface Step {
        void run(int i) throws InterruptedException, MigrationFailed;
    }

    @FunctionalInterface
    interface Body {
        void run() throws InterruptedException, MigrationFailed;
    }

    /** Runs {@code count} steps evenly spread over {@code windowNanos} (each starts no earlier than its slot). */
    static void paced(int count, long windowNanos, Step step) throws InterruptedException, MigrationFailed {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            // jitter inside the slot so requests do not lock onto the workers' phase
            long slot = windowNanos / count;
            long at = start + i * slot + (long) (Math.random() * slot / 2);
            sleepUntil(at);
            step.run(i);
        }
    }

    /** Worker iterations per second over a window of {@code windowNanos}, or as long as {@code body} runs if longer. */
    static double rate(AtomicReferenceArray<Probe> probes, long windowNanos, Body body)
            throws InterruptedException, MigrationFailed {
        long n0 = iterations(probes);
        long t0 = System.nanoTime();
        if (body != null) {
            body.run();
        }
        sleepUntil(t0 + windowNanos);
        long n1 = iterations(probes);
        long t1 = System.nanoTime();
        return (n1 - n0) / ((t1 - t0) / 1e9);
    }

    private static long iterations(AtomicReferenceArray<Probe> probes) {
        long sum = 0;
        for (int i = 0; i < probes.length(); i++) {
            sum += probes.get(i).iterations();
        }
        return sum;
    }

    static void sleepUntil(long nanoTime) {
        for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    static long seconds(double s) {
        return (long) (s * 1e9);
    }
}
