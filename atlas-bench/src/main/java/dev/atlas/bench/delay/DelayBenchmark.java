package dev.atlas.bench.delay;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the selected scenarios of {@code dev.atlas.bench.MigrationDelayHarness} (busy, idle, virtual) after
 * calibrating the workers' CPU work, and prints the report.
 */
public final class DelayBenchmark {

    private DelayBenchmark() {
    }

    public static void run(DelayOptions o) throws InterruptedException {
        System.out.printf(Locale.ROOT, "MigrationDelayHarness: %s %s, %d CPUs, %s%s%n",
                System.getProperty("java.vm.name"), Runtime.version(), Runtime.getRuntime().availableProcessors(),
                o.quick() ? "quick" : "default", o.freshViews() ? ", fresh views" : ", two views back and forth");
        double unitsPerMicro = CalibratedWork.calibrate();
        System.out.printf(Locale.ROOT, "calibration: %.1f work units per µs (one thread, best of 30)%n", unitsPerMicro);
        System.out.printf(Locale.ROOT, "per scenario: %.2f s warm-up (%d migrations), then %d x (quiet, migrating) + quiet windows of %.2f s, %d recorded migrations%n",
                o.warmupSeconds(), o.warmupMigrations(), o.rounds(), o.windowSeconds(), o.migrations());
        System.out.printf(Locale.ROOT, "virtual threads: %s after each quiescence point%n%n",
                o.virtualSleepMicros() > 0 ? "park " + o.virtualSleepMicros() + " µs" : "Thread.yield()");
        long t0 = System.nanoTime();
        List<ScenarioResult> results = new ArrayList<>();
        if (o.scenarios().contains("busy")) {
            for (int n : o.threads()) {
                for (int w : o.workMicros()) {
                    results.add(LoopScenario.run(o, "busy", n, w, (int) Math.round(w * unitsPerMicro), false));
                }
            }
        }
        if (o.scenarios().contains("idle")) {
            for (int n : o.threads()) {
                results.add(IdleScenario.run(o, n));
            }
        }
        if (o.scenarios().contains("virtual")) {
            int w = o.virtualWorkMicros();
            results.add(LoopScenario.run(o, "virtual", o.virtualThreads(), w, (int) Math.round(w * unitsPerMicro), true));
        }
        DelayReport.print(results);
        System.out.printf(Locale.ROOT, "%ntotal time %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
