package dev.atlas.demo.run;

import dev.atlas.demo.load.LatencySummary;
import dev.atlas.demo.load.LoadRun;
import dev.atlas.demo.load.TagCounts;

import java.time.Duration;
import java.util.Locale;

/**
 * The side-by-side text table: per mode, latency percentiles, throughput, failed and
 * mixed-version requests in the steady phase, the change window and after; then what each
 * change did and how long it took to be in effect; then notes.
 */
public final class ComparisonTable {
    /** The name of the {@link ControlMode}'s rows. */
    static final String CONTROL = "control";

    private ComparisonTable() {
    }

    public static String render(DemoReport report) {
        DemoOptions o = report.options();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "Patch demo: service v1 -> v2 under %d req/s (open loop, latency from the intended send time);%n"
                        + "steady = %.1f s before the change (after %.1f s warm-up), change = from T for%n%.1f s (or to 1 s after the change took full effect, if later), after = the rest.%n%n",
                o.rate(), o.steady().toMillis() / 1000.0, o.warmup().toMillis() / 1000.0, o.changeWindow().toMillis() / 1000.0));
        String head = "%-8s %-7s %8s %8s %9s %9s %8s %7s %7s%n";
        sb.append(String.format(Locale.ROOT, head, "mode", "phase", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "req/s", "failed", "mixed"));
        for (ModeResult r : report.modes()) {
            if (!r.ran()) {
                sb.append(String.format(Locale.ROOT, "%-8s %s%n", r.mode(), r.unavailable()));
                continue;
            }
            row(sb, r.mode(), "steady", r.steady());
            row(sb, "", "change", r.change());
            row(sb, "", "after", r.afterChange());
        }
        sb.append(System.lineSeparator());
        String head2 = "%-8s %-46s %9s %9s %11s %9s %9s%n";
        sb.append(String.format(Locale.ROOT, head2, "mode", "change applied", "in effect", "pause", "all threads", "bug fixed", "new state"));
        for (ModeResult r : report.modes()) {
            if (!r.ran()) {
                continue;
            }
            ChangeOutcome c = r.outcome();
            Verification v = r.verification();
            sb.append(String.format(Locale.ROOT, head2, r.mode(), c.applied(), millis(c.inEffect()), millis(c.pause()),
                    c.allMigrated() == null ? "n/a" : millis(c.allMigrated()), yesNo(v.bugFixed()), yesNo(v.newState())));
        }
        sb.append(System.lineSeparator()).append("Notes").append(System.lineSeparator());
        for (ModeResult r : report.modes()) {
            if (!r.ran()) {
                continue;
            }
            TagCounts t = r.tags();
            LoadRun l = r.load();
            sb.append(String.format(Locale.ROOT, "  %s: %s%n", r.mode(), r.description()));
            for (String note : r.outcome().notes()) {
                sb.append("    - ").append(note).append(System.lineSeparator());
            }
            steadySpans(sb, r);
            againstControl(sb, r, report);
            sb.append(String.format(Locale.ROOT,
                    "    - version tags over the run: %d all-v1, %d all-v2, %d mixed, %d untagged; %d failed requests%n",
                    t.old(), t.fresh(), t.mixed(), t.unknown(), r.failed()));
            sb.append(String.format(Locale.ROOT,
                    "    - load generator: %d requests sent, %.0f%% of a core, send lag p99 %.2f ms, max %.2f ms%n",
                    l.sent(), 100.0 * l.cpuMillis() / Math.max(1, l.sent() * 1_000 / Math.max(1, l.rate())),
                    l.p99SendLagMicros() / 1000.0, l.maxSendLagMicros() / 1000.0));
        }
        sb.append("  pause: HotSwap: time spent in redefineClasses, whose VM operation stops every thread at a safepoint;"
                + " restart: the service was down; Atlas: no pause of its own (\"-\")").append(System.lineSeparator());
        sb.append("  in effect: from T until new requests run the new code; all threads: until every thread did")
                .append(System.lineSeparator());
        sb.append("  chart: ").append(report.png()).append(report.chartLabelled() ? "" : " (without text: no font in this JVM)")
                .append(System.lineSeparator());
        return sb.toString();
    }

    /** The change window's tail against the steady phase's, and against steady spans of its own length. */
    private static void steadySpans(StringBuilder sb, ModeResult r) {
        if (r.steady().ok() == 0 || r.change().ok() == 0) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "    - change-window p99.9 = %.2fx the steady p99.9", r.changeToSteadyP999()));
        long[] p999 = r.steadySpanP999s();
        if (p999.length > 0) {
            double median = r.medianSteadySpanP999();
            sb.append(String.format(Locale.ROOT, "; %d steady span(s) of the change window's length (%.2f s) had p99.9 %.2f to %.2f ms"
                            + " (median %.2f; the change window's is %.2fx that median)", p999.length,
                    r.change().spanMillis() / 1000.0, p999[0] / 1000.0, p999[p999.length - 1] / 1000.0, median / 1000.0,
                    r.change().p999() / median));
        }
        sb.append(System.lineSeparator());
    }

    /** A mode's change-window tail next to the control run's (same scenario, nothing applied at T), if one ran. */
    private static void againstControl(StringBuilder sb, ModeResult r, DemoReport report) {
        ModeResult control = null;
        for (ModeResult m : report.modes()) {
            if (m.ran() && m.mode().equals(CONTROL) && m != r) {
                control = m;
            }
        }
        if (control == null || r.steady().ok() == 0 || r.change().ok() == 0 || control.steady().ok() == 0
                || control.change().ok() == 0) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "    - against the control run (nothing applied at T): change-window p99.9"
                        + " %.2f ms vs %.2f ms; ratio to steady x%.2f vs x%.2f%n", r.change().p999() / 1000.0,
                control.change().p999() / 1000.0, r.changeToSteadyP999(), control.changeToSteadyP999()));
    }

    private static void row(StringBuilder sb, String mode, String phase, LatencySummary s) {
        if (s.ok() == 0 && s.failed() == 0) {
            sb.append(String.format(Locale.ROOT, "%-8s %-7s %s%n", mode, phase, "(no requests)"));
            return;
        }
        sb.append(String.format(Locale.ROOT, "%-8s %-7s %8.2f %8.2f %9.2f %9.2f %8.1f %7d %7d%n", mode, phase,
                s.p50() / 1000.0, s.p99() / 1000.0, s.p999() / 1000.0, s.max() / 1000.0, s.throughput(), s.failed(),
                s.tags().mixed()));
    }

    private static String millis(Duration d) {
        if (d == null) {
            return "-";
        }
        double ms = d.toNanos() / 1e6;
        return ms < 10 ? String.format(Locale.ROOT, "%.2f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
    }

    private static String yesNo(Boolean b) {
        return b == null ? "?" : b ? "yes" : "no";
    }
}
