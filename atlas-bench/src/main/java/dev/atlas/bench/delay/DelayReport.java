package dev.atlas.bench.delay;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/**
 * Prints the three result tables (delay per thread, delay against the natural baseline, worker
 * throughput in migrating vs quiet windows) and the failures and notes; times in µs.
 */
final class DelayReport {

    private DelayReport() {
    }

    static void print(List<ScenarioResult> results) {
        System.out.println();
        System.out.println("Delay per thread, request -> moved: delay = MigrationReport ThreadProgress.delay();");
        System.out.println("e2e = harness clock, before start() -> back from quiescent() in the new view (idle: the start() call, marked *); µs");
        System.out.printf(Locale.ROOT, "%-22s %5s %6s %7s %9s %9s %9s %8s %12s | %9s %9s %9s%n",
                "scenario", "thr", "W(µs)", "samples", "delay p50", "p99", "max", "max/W", "mig.max p50",
                "e2e p50", "p99", "max");
        for (ScenarioResult r : results) {
            if (r.failure != null) {
                System.out.printf(Locale.ROOT, "%-22s FAILED: %s%n", r.name, r.failure.lines().findFirst().orElse(""));
                continue;
            }
            Histogram e2e = r.kind.equals("idle") ? r.startCost : r.endToEnd;
            String mark = r.kind.equals("idle") ? "*" : "";
            System.out.printf(Locale.ROOT, "%-22s %5d %6s %7d %9s %9s %9s %8s %12s | %9s %9s %9s%n",
                    r.name, r.threads, r.workMicros == 0 ? "-" : Integer.toString(r.workMicros), r.samples,
                    us(r.delay.getValueAtPercentile(50)), us(r.delay.getValueAtPercentile(99)), us(r.delay.getMaxValue()),
                    r.workMicros == 0 ? "-" : String.format(Locale.ROOT, "%.2f", r.delay.getMaxValue() / 1000.0 / r.workMicros),
                    us(r.migrationMax.getValueAtPercentile(50)),
                    us(e2e.getValueAtPercentile(50)) + mark, us(e2e.getValueAtPercentile(99)) + mark, us(e2e.getMaxValue()) + mark);
        }

        System.out.println();
        System.out.println("Against the natural baseline (worker timestamps): next QP = request -> first quiescence point after it;");
        System.out.println("excess = that point -> back from quiescent() in the new view; adopt = the quiescent() call that moved it");
        System.out.println("(last = per migration, the longest such call); start() = operator's call; all µs");
        System.out.printf(Locale.ROOT, "%-22s %10s %9s %9s | %10s %9s %9s | %9s %7s | %9s %9s %9s | %9s %9s%n",
                "scenario", "nextQP p50", "p99", "max", "excess p50", "p99", "max", "at 1st QP", "missed",
                "adopt p50", "p99", "last p50", "start p50", "max");
        for (ScenarioResult r : results) {
            if (r.failure != null) {
                continue;
            }
            boolean loop = !r.kind.equals("idle");
            System.out.printf(Locale.ROOT, "%-22s %10s %9s %9s | %10s %9s %9s | %9s %7s | %9s %9s %9s | %9s %9s%n",
                    r.name,
                    loop ? us(r.nextPoint.getValueAtPercentile(50)) : "0", loop ? us(r.nextPoint.getValueAtPercentile(99)) : "0",
                    loop ? us(r.nextPoint.getMaxValue()) : "0",
                    loop ? us(r.excess.getValueAtPercentile(50)) : "-", loop ? us(r.excess.getValueAtPercentile(99)) : "-",
                    loop ? us(r.excess.getMaxValue()) : "-",
                    loop ? String.format(Locale.ROOT, "%.1f%%", 100.0 * r.firstPointMoves / Math.max(1, r.samples)) : "-",
                    loop ? Long.toString(r.missedAfterStart) : "-",
                    loop ? us(r.adoptCall.getValueAtPercentile(50)) : "-", loop ? us(r.adoptCall.getValueAtPercentile(99)) : "-",
                    loop ? us(r.adoptCallMax.getValueAtPercentile(50)) : "-",
                    us(r.startCost.getValueAtPercentile(50)), us(r.startCost.getMaxValue()));
        }

        System.out.println();
        System.out.println("Worker throughput, iterations/s summed over workers; each migrating window vs the mean of the quiet windows around it");
        System.out.printf(Locale.ROOT, "%-22s %12s %12s %11s %17s %13s %8s%n",
                "scenario", "quiet mean", "migr. mean", "ratio mean", "ratio min..max", "quiet spread", "migr.(s)");
        for (ScenarioResult r : results) {
            if (r.failure != null || r.kind.equals("idle") || r.migrating.isEmpty()) {
                continue;
            }
            double min = Double.MAX_VALUE;
            double max = 0;
            double sum = 0;
            for (int i = 0; i < r.migrating.size(); i++) {
                double ratio = r.migrating.get(i) / ((r.quiet.get(i) + r.quiet.get(i + 1)) / 2);
                min = Math.min(min, ratio);
                max = Math.max(max, ratio);
                sum += ratio;
            }
            double qmin = r.quiet.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double qmax = r.quiet.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            System.out.printf(Locale.ROOT, "%-22s %12.0f %12.0f %11.3f %8.3f..%-8.3f %12s %8.2f%n",
                    r.name, mean(r.quiet), mean(r.migrating), sum / r.migrating.size(), min, max,
                    String.format(Locale.ROOT, "±%.0f%%", 100 * (qmax - qmin) / (qmax + qmin)), r.migratingSeconds);
        }
        for (ScenarioResult r : results) {
            if (r.failure != null) {
                System.out.printf(Locale.ROOT, "failure: %s:%n", r.name);
                r.failure.lines().limit(14).forEach(l -> System.out.println("    " + l));
            }
            if (r.notMigrated > 0) {
                System.out.printf(Locale.ROOT, "note: %s: %d thread entries did not end MIGRATED%n", r.name, r.notMigrated);
            }
            if (!r.note.isEmpty()) {
                System.out.printf(Locale.ROOT, "note: %s: %s%n", r.name, r.note);
            }
        }
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static String us(long nanos) {
        double u = nanos / 1000.0;
        return u < 100 ? String.format(Locale.ROOT, "%.1f", u) : String.format(Locale.ROOT, "%.0f", u);
    }
}
