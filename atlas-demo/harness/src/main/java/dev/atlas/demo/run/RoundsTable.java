package dev.atlas.demo.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of a {@link RoundsReport}: per mode, the change window's p99.9 over the rounds
 * (median, min, max; in ms and as a multiple of the same run's steady p99.9), how many rounds
 * met ×{@value #ATLAS_TARGET}, the time to take effect, failures and mixed-version responses;
 * one line per round; Atlas against its target and against the control run of the same
 * round; then the representative round's {@link ComparisonTable}.
 */
final class RoundsTable {
    /** The patch demo's target for Atlas: change-window p99.9 at most this multiple of its steady p99.9. */
    static final double ATLAS_TARGET = 1.1;

    private RoundsTable() {
    }

    static String render(RoundsReport report) {
        List<DemoReport> rounds = report.rounds();
        List<String> modes = report.modeNames();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Patch demo repeated: %d round(s) of %s, the modes in this order in each"
                        + " round; round K's files in %s.%n", rounds.size(), String.join(", ", modes),
                report.options().workDir().resolve("round-K")));
        sb.append(String.format(Locale.ROOT, "The change window's p99.9 over the rounds, in ms and as a multiple of the"
                + " same run's steady p99.9 (x steady)%nor of the median steady span of the window's length (x span):%n%n"));
        String head = "%-8s %6s  %-24s %-24s %7s %8s %10s %7s %6s%n";
        sb.append(String.format(Locale.ROOT, head, "mode", "rounds", "p99.9 ms median (range)", "x steady median (range)",
                "x span", "<=x" + ATLAS_TARGET, "in effect", "failed", "mixed"));
        for (String mode : modes) {
            List<ModeResult> rs = report.resultsOf(mode);
            if (rs.isEmpty()) {
                sb.append(String.format(Locale.ROOT, "%-8s %6d  (no round with a change window to compare)%n", mode, 0));
                continue;
            }
            double[] p999 = new double[rs.size()];
            double[] ratio = new double[rs.size()];
            double[] span = new double[rs.size()];
            List<Double> effect = new ArrayList<>();
            long failed = 0;
            long mixed = 0;
            int met = 0;
            int spans = 0;
            for (int i = 0; i < rs.size(); i++) {
                ModeResult r = rs.get(i);
                p999[i] = r.change().p999() / 1000.0;
                ratio[i] = r.changeToSteadyP999();
                if (r.medianSteadySpanP999() > 0) {
                    span[spans++] = r.change().p999() / r.medianSteadySpanP999();
                }
                if (r.outcome().inEffect() != null) {
                    effect.add(r.outcome().inEffect().toNanos() / 1e6);
                }
                failed += r.failed();
                mixed += r.tags().mixed();
                met += ratio[i] <= ATLAS_TARGET ? 1 : 0;
            }
            sb.append(String.format(Locale.ROOT, head, mode, rs.size(), range(p999, ""), range(ratio, "x"),
                    spans == 0 ? "-" : String.format(Locale.ROOT, "x%.2f", Stats.median(java.util.Arrays.copyOf(span, spans))),
                    met + " of " + rs.size(),
                    effect.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f ms",
                            Stats.median(effect.stream().mapToDouble(Double::doubleValue).toArray())),
                    failed, mixed));
        }
        sb.append(String.format(Locale.ROOT, "%nPer round (change-window p99.9 ms, x steady):%n"));
        for (int i = 0; i < rounds.size(); i++) {
            sb.append(String.format(Locale.ROOT, "  round %d: ", i + 1)).append(roundLine(rounds.get(i)));
            sb.append(i == report.medianRound() ? "   (representative round, in full below)" : "").append(System.lineSeparator());
        }
        atlasVerdict(sb, report);
        DemoReport median = rounds.get(report.medianRound());
        sb.append(String.format(Locale.ROOT, "%nRound %d in full (the median round of %s; its chart: %s):%n%n",
                report.medianRound() + 1, referenceMode(report), report.png()));
        sb.append(median.table());
        return sb.toString();
    }

    /** "control 9.17 x0.77, atlas 9.18 x1.03": each mode's change-window p99.9 in ms and against its steady p99.9. */
    static String roundLine(DemoReport round) {
        List<String> parts = new ArrayList<>();
        for (ModeResult r : round.modes()) {
            parts.add(r.mode() + " " + (Double.isNaN(r.changeToSteadyP999()) ? "-"
                    : String.format(Locale.ROOT, "%.2f x%.2f", r.change().p999() / 1000.0, r.changeToSteadyP999())));
        }
        return String.join(", ", parts);
    }

    /** Atlas's median against the target, and against the control run of the same round where both ran. */
    private static void atlasVerdict(StringBuilder sb, RoundsReport report) {
        List<ModeResult> atlas = report.resultsOf(RoundsReport.REFERENCE_MODE);
        if (atlas.isEmpty()) {
            return;
        }
        double[] ratio = atlas.stream().mapToDouble(ModeResult::changeToSteadyP999).toArray();
        double median = Stats.median(ratio);
        long met = java.util.Arrays.stream(ratio).filter(r -> r <= ATLAS_TARGET).count();
        sb.append(String.format(Locale.ROOT, "%nAtlas against its target (change-window p99.9 <= x%.1f of its steady p99.9):"
                        + " median x%.2f over %d round(s): %s in median; met in %d of %d round(s).%n", ATLAS_TARGET, median,
                ratio.length, median <= ATLAS_TARGET ? "met" : "NOT met", met, ratio.length));
        List<Double> diffs = new ArrayList<>();
        int higher = 0;
        for (DemoReport round : report.rounds()) {
            ModeResult a = find(round, RoundsReport.REFERENCE_MODE);
            ModeResult c = find(round, ComparisonTable.CONTROL);
            if (a != null && c != null) {
                diffs.add((a.change().p999() - c.change().p999()) / 1000.0);
                higher += a.changeToSteadyP999() > c.changeToSteadyP999() ? 1 : 0;
            }
        }
        if (!diffs.isEmpty()) {
            double[] d = diffs.stream().mapToDouble(Double::doubleValue).toArray();
            sb.append(String.format(Locale.ROOT, "Atlas against the control run of the same round (nothing applied at T):"
                            + " change-window p99.9 %+.2f ms in median (%+.2f to %+.2f ms); ratio to steady above the"
                            + " control's in %d of %d round(s).%n", Stats.median(d), min(d), max(d), higher, d.length));
        }
    }

    private static ModeResult find(DemoReport round, String mode) {
        for (ModeResult m : round.modes()) {
            if (m.mode().equals(mode) && !Double.isNaN(m.changeToSteadyP999())) {
                return m;
            }
        }
        return null;
    }

    private static String referenceMode(RoundsReport report) {
        return report.resultsOf(RoundsReport.REFERENCE_MODE).isEmpty() ? "the first mode that ran" : RoundsReport.REFERENCE_MODE;
    }

    /** "8.20 (5.80..12.26)": median (min..max), with {@code prefix} before each number. */
    private static String range(double[] values, String prefix) {
        return String.format(Locale.ROOT, "%s%.2f (%s%.2f..%s%.2f)", prefix, Stats.median(values), prefix, min(values),
                prefix, max(values));
    }

    private static double min(double[] values) {
        double min = Double.POSITIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
        }
        return min;
    }

    private static double max(double[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            max = Math.max(max, v);
        }
        return max;
    }
}
