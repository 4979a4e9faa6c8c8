package dev.atlas.demo.run;

import dev.atlas.demo.load.LatencySummary;
import dev.atlas.demo.load.LoadRun;
import dev.atlas.demo.load.TagCounts;
import dev.atlas.demo.load.WindowStats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One mode's run, or why it did not run.
 *
 * @param mode           the mode's name
 * @param description    what the mode does
 * @param unavailable    why it did not run, or null if it ran
 * @param outcome        what applying the change did (null if it did not run)
 * @param load           the generator's windows (null if it did not run)
 * @param changeAtMillis T, in milliseconds after the start of the load
 * @param steady         the steady phase before T (after the warm-up)
 * @param change         the windows from the one holding T to T + change window
 * @param afterChange    the rest
 * @param steadySpans    the steady phase cut into consecutive spans as long as the change
 *                       window (the rest dropped): how much a span's tail varies without a
 *                       change, with as few samples as the change window has
 * @param verification   what the service answered after the run
 */
public record ModeResult(String mode, String description, String unavailable, ChangeOutcome outcome, LoadRun load,
                         long changeAtMillis, LatencySummary steady, LatencySummary change, LatencySummary afterChange,
                         List<LatencySummary> steadySpans, Verification verification) {

    static ModeResult skipped(PatchMode mode, String reason) {
        return new ModeResult(mode.name(), mode.description(), reason, null, null, 0, null, null, null, List.of(), null);
    }

    /** Splits {@code load} into phases around {@code changeAtMillis}. */
    static ModeResult of(PatchMode mode, ChangeOutcome outcome, LoadRun load, long changeAtMillis, DemoOptions options,
                         Verification verification) {
        long window = load.windowMillis();
        long warmupEnd = options.warmup().toMillis();
        long changeStart = changeAtMillis / window * window;
        long changeEnd = changeAtMillis + Math.max(options.changeWindow().toMillis(), settledMillis(outcome) + 1_000);
        List<WindowStats> steady = load.between(warmupEnd, changeStart);
        List<WindowStats> change = load.windows().stream()
                .filter(w -> w.endMillis() > changeStart && w.startMillis() < changeEnd).toList();
        List<WindowStats> after = load.windows().stream().filter(w -> w.startMillis() >= changeEnd).toList();
        List<LatencySummary> spans = new ArrayList<>();
        for (int from = 0; !change.isEmpty() && from + change.size() <= steady.size(); from += change.size()) {
            spans.add(LatencySummary.of(steady.subList(from, from + change.size())));
        }
        return new ModeResult(mode.name(), mode.description(), null, outcome, load, changeAtMillis,
                LatencySummary.of(steady), LatencySummary.of(change), LatencySummary.of(after), List.copyOf(spans),
                verification);
    }

    /**
     * When the change had fully taken effect, in ms after T (0 if not known): the change window
     * lasts at least a second beyond it, so a slow change is never measured as "after".
     */
    static long settledMillis(ChangeOutcome outcome) {
        return outcome == null ? 0 : Stream.of(outcome.inEffect(), outcome.allMigrated(), outcome.pause())
                .filter(Objects::nonNull).mapToLong(Duration::toMillis).max().orElse(0);
    }

    /**
     * The median p99.9 of {@link #steadySpans} in microseconds (the mean of the two middle ones
     * for an even count), or -1 if there is none: the steady tail with as few samples as the
     * change window, so one noisy span cannot flatter or spoil the comparison.
     */
    public double medianSteadySpanP999() {
        double[] p999 = java.util.Arrays.stream(steadySpanP999s()).asDoubleStream().toArray();
        return p999.length == 0 ? -1 : Stats.median(p999);
    }

    /**
     * The change window's p99.9 over the steady phase's: the target ratio (≤ 1.1 for
     * Atlas), or NaN if the mode did not run or a phase had no successful request.
     */
    public double changeToSteadyP999() {
        if (!ran() || steady.ok() == 0 || change.ok() == 0) {
            return Double.NaN;
        }
        return (double) change.p999() / steady.p999();
    }

    /** The p99.9 of every {@link #steadySpans steady span} that had requests, in microseconds, ascending. */
    public long[] steadySpanP999s() {
        return steadySpans.stream().filter(s -> s.ok() > 0).mapToLong(LatencySummary::p999).sorted().toArray();
    }

    public boolean ran() {
        return unavailable == null;
    }

    /** Version tags of every successful request of the run (warm-up included). */
    public TagCounts tags() {
        return load.windows().stream().map(WindowStats::tags).reduce(TagCounts.ZERO, TagCounts::plus);
    }

    /** Failed requests of the whole run. */
    public long failed() {
        return load.windows().stream().mapToLong(WindowStats::failed).sum();
    }
}
