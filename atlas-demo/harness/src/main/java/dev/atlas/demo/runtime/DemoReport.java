package dev.atlas.demo.runtime;

import dev.atlas.cli.Durations;
import dev.atlas.core.Migration;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.ThreadMigrationState;
import dev.atlas.core.View;

import java.io.PrintWriter;
import java.util.Map;

/**
 * The report printed after the load stopped: migration delays, latency and throughput
 * before/during, requests per version, the space's description, the checks and the verdict.
 */
final class DemoReport {
    private final DemoConfig c;
    private final PrintWriter out;

    DemoReport(DemoConfig config, PrintWriter out) {
        this.c = config;
        this.out = out;
    }

    /** @return true if every check passed */
    boolean print(MigrationOutcome o, Recorder recorder, WorkerErrors errors, View v1, String cleanupRanOn) {
        MigrationReport r = o.report();
        out.print(DelayTable.render(r));
        out.println();
        LatencyTable latency = new LatencyTable(recorder, o.startNanos(), c.window());
        out.print(latency.render());
        out.println();

        Map<RequestOutcome, Long> outcomes = recorder.outcomes();
        Map<RequestOutcome, Long> invalid = recorder.invalidResults();
        long total = outcomes.values().stream().mapToLong(Long::longValue).sum();
        long mixed = outcomes.get(RequestOutcome.MIXED);
        long v2Invalid = invalid.get(RequestOutcome.ALL_V2);
        out.println(Fmt.f("Requests: %s in all: %s ran all-v1, %s all-v2, %s mixed v1 and v2", Fmt.count(total),
                Fmt.count(outcomes.get(RequestOutcome.ALL_V1)), Fmt.count(outcomes.get(RequestOutcome.ALL_V2)),
                Fmt.count(mixed)));
        out.println(Fmt.f("  out-of-range results: v1 %s (the bug v2 fixes), v2 %s",
                Fmt.count(invalid.get(RequestOutcome.ALL_V1)), Fmt.count(v2Invalid)));
        out.println();
        if (o.description() != null) {
            out.print(DescriptionText.render(o.description()));
            out.println();
        }

        long migrated = r.count(ThreadMigrationState.MIGRATED);
        boolean done = r.outcome() == Migration.Phase.DONE;
        Checks checks = new Checks();
        checks.check(mixed == 0, "mixed-version requests: " + mixed + " (of " + Fmt.count(total) + ")");
        checks.check(done && migrated == c.threads() && o.selected() == c.threads(), done
                ? Fmt.f("all threads migrated: %d of %d moved to v2 in %s ms (timeout %s)", migrated, c.threads(),
                        Fmt.millis(r.elapsed()), Durations.format(c.timeout()))
                : Fmt.f("migration not complete after %s: %d of %d threads moved", Durations.format(c.timeout()),
                        migrated, c.threads()));
        checks.check(o.oldRetired() && cleanupRanOn != null, Fmt.f("view %d 'v1' %s, its cleanup action %s", v1.id(),
                v1.state(), cleanupRanOn == null ? "has not run" : "ran (on " + cleanupRanOn + ")"));
        checks.check(v2Invalid == 0, "v2 results all in range: " + Fmt.count(v2Invalid) + " out of range");
        checks.check(errors.count() == 0, errors.count() == 0 ? "no errors on worker threads"
                : errors.count() + " error(s) on worker threads, first " + errors.first().orElse("?"));
        out.print(checks.render());
        out.println();
        out.println(checks.verdict(Fmt.f("%d threads moved from v1 to v2 one by one, the last after %s ms, while the"
                + " others kept working (%s); no request mixed versions; v1 retired.", migrated,
                Fmt.millis(r.maxDelay()), latency.p99Summary())));
        return checks.allPassed();
    }
}
