package dev.atlas.demo.runtime;

import java.time.Duration;
import java.util.Arrays;

/**
 * Percentiles of the request latencies of one window, by sorting (nearest rank).
 *
 * @param count     requests that ended in the window
 * @param perSecond count divided by the window's length
 * @param p50Nanos  median latency
 * @param p99Nanos  99th percentile
 * @param maxNanos  slowest request
 */
record LatencyStats(int count, double perSecond, long p50Nanos, long p99Nanos, long maxNanos) {

    static LatencyStats of(long[] latencies, Duration window) {
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        double seconds = window.toNanos() / 1e9;
        return new LatencyStats(sorted.length, sorted.length / seconds,
                percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
