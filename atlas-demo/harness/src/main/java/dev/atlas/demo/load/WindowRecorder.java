package dev.atlas.demo.load;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Records request outcomes into windows of <em>intended</em> send time. Thread-safe: the
 * completions of many requests record concurrently.
 *
 * {@snippet class=dev.atlas.demo.snippets.HarnessSnippets region=window-recorder}
 *
 * <p>Implementation notes: one lock (this object) guards every window; a record is a few
 * counter increments and one histogram update, so at the demo's rates (about 1000/s) the lock
 * is uncontended. Latency is {@code completedNanos - intendedNanos}, never measured from the
 * actual send, which is what corrects for coordinated omission. Outcomes whose intended time
 * is outside the run are dropped (counted in {@link #outOfRange}).
 */
public final class WindowRecorder implements OutcomeSink {
    /** Latencies above this (in microseconds) are recorded as this value. */
    public static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(2);

    private final long startNanos;
    private final long windowNanos;
    private final Histogram[] latencies;
    private final long[] ok;
    private final long[] failed;
    private final TagCounts[] tags;
    private long outOfRange;

    /**
     * @param startNanos  {@link System#nanoTime()} of the run's start (intended time of request 0)
     * @param windowNanos window length
     * @param windows     number of windows
     */
    public WindowRecorder(long startNanos, long windowNanos, int windows) {
        if (windowNanos < TimeUnit.MILLISECONDS.toNanos(1) || windowNanos % TimeUnit.MILLISECONDS.toNanos(1) != 0) {
            throw new IllegalArgumentException("window is " + windowNanos + " ns, expected a whole number of milliseconds");
        }
        if (windows < 1 || windows > 1_000_000) {
            throw new IllegalArgumentException("windows is " + windows + ", expected 1 to 1000000");
        }
        this.startNanos = startNanos;
        this.windowNanos = windowNanos;
        this.latencies = new Histogram[windows];
        this.ok = new long[windows];
        this.failed = new long[windows];
        this.tags = new TagCounts[windows];
        for (int i = 0; i < windows; i++) {
            latencies[i] = newHistogram();
            tags[i] = TagCounts.ZERO;
        }
    }

    /** An empty latency histogram in microseconds, 3 significant digits, up to {@link #HIGHEST_MICROS}. */
    public static Histogram newHistogram() {
        return new Histogram(HIGHEST_MICROS, 3);
    }

    public long startNanos() {
        return startNanos;
    }

    @Override
    public synchronized void success(long intendedNanos, long completedNanos, TagKind tag) {
        int w = window(intendedNanos);
        if (w < 0) {
            outOfRange++;
            return;
        }
        long micros = Math.max(0, (completedNanos - intendedNanos) / 1_000);
        latencies[w].recordValue(Math.min(micros, HIGHEST_MICROS));
        ok[w]++;
        tags[w] = tags[w].plus(tag);
    }

    @Override
    public synchronized void failure(long intendedNanos) {
        int w = window(intendedNanos);
        if (w < 0) {
            outOfRange++;
            return;
        }
        failed[w]++;
    }

    /** Outcomes dropped because their intended time was before the start or after the last window. */
    public synchronized long outOfRange() {
        return outOfRange;
    }

    /** A copy of every window, in order. */
    public synchronized List<WindowStats> windows() {
        long windowMillis = TimeUnit.NANOSECONDS.toMillis(windowNanos);
        List<WindowStats> list = new ArrayList<>(latencies.length);
        for (int i = 0; i < latencies.length; i++) {
            list.add(new WindowStats(i, i * windowMillis, windowMillis, ok[i], failed[i], tags[i], latencies[i].copy()));
        }
        return list;
    }

    private int window(long intendedNanos) {
        long offset = intendedNanos - startNanos;
        if (offset < 0) {
            return -1;
        }
        long w = offset / windowNanos;
        return w < latencies.length ? (int) w : -1;
    }
}
