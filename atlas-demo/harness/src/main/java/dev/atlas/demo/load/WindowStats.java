package dev.atlas.demo.load;

import org.HdrHistogram.Histogram;

/**
 * The requests whose intended send time fell in one window.
 *
 * @param index       window number, from 0
 * @param startMillis start of the window, in milliseconds after the run's start
 * @param lengthMillis length of the window
 * @param ok          requests answered with a 2xx status
 * @param failed      requests that failed: no connection, I/O error, timeout, or a status other than 2xx
 * @param tags        version tags of the {@code ok} responses
 * @param latencies   latencies of the {@code ok} requests in microseconds, from the intended send
 *                    time to the end of the response; owned by this record, do not modify
 */
public record WindowStats(int index, long startMillis, long lengthMillis, long ok, long failed, TagCounts tags,
                          Histogram latencies) {
    public WindowStats {
        if (ok != latencies.getTotalCount()) {
            throw new IllegalArgumentException("window " + index + ": ok is " + ok + " but the histogram holds "
                    + latencies.getTotalCount() + " latencies; expected the same count");
        }
    }

    /** Latency in microseconds at {@code percentile} (0 to 100), or 0 if no request succeeded. */
    public long percentile(double percentile) {
        return latencies.getValueAtPercentile(percentile);
    }

    public long p50() {
        return percentile(50);
    }

    public long p99() {
        return percentile(99);
    }

    public long p999() {
        return percentile(99.9);
    }

    /** Largest latency in microseconds, or 0 if no request succeeded. */
    public long max() {
        return ok == 0 ? 0 : latencies.getMaxValue();
    }

    /** Successful requests per second in this window. */
    public double throughput() {
        return ok * 1000.0 / lengthMillis;
    }

    /** End of the window in milliseconds after the run's start. */
    public long endMillis() {
        return startMillis + lengthMillis;
    }
}
