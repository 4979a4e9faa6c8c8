package dev.atlas.demo.load;

import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * Several consecutive windows taken together: the latencies merged (exact percentiles over
 * the whole span, not an average of per-window percentiles), counts and tags summed.
 *
 * @param windows    how many windows
 * @param spanMillis their total length
 * @param ok         successful requests
 * @param failed     failed requests
 * @param tags       version tags of the successful requests
 * @param latencies  merged latencies in microseconds; owned by this record, do not modify
 */
public record LatencySummary(int windows, long spanMillis, long ok, long failed, TagCounts tags, Histogram latencies) {

    /** Merges {@code windows} (may be empty: then every count is 0). */
    public static LatencySummary of(List<WindowStats> windows) {
        Histogram merged = WindowRecorder.newHistogram();
        long ok = 0;
        long failed = 0;
        long span = 0;
        TagCounts tags = TagCounts.ZERO;
        for (WindowStats w : windows) {
            merged.add(w.latencies());
            ok += w.ok();
            failed += w.failed();
            span += w.lengthMillis();
            tags = tags.plus(w.tags());
        }
        return new LatencySummary(windows.size(), span, ok, failed, tags, merged);
    }

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

    public long max() {
        return ok == 0 ? 0 : latencies.getMaxValue();
    }

    /** Successful requests per second over the span (0 for an empty span). */
    public double throughput() {
        return spanMillis == 0 ? 0 : ok * 1000.0 / spanMillis;
    }
}
