package dev.atlas.bench.delay;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What one scenario measured: the HdrHistograms (ns), counters and window throughputs shown in the report. */
final class ScenarioResult {
    final String name;
    final String kind;
    final int threads;
    final int workMicros;
    final Histogram delay = histogram();
    final Histogram endToEnd = histogram();
    final Histogram nextPoint = histogram();
    final Histogram excess = histogram();
    final Histogram adoptCall = histogram();
    final Histogram adoptCallMax = histogram();   // per migration: the longest adopt call (about the thread that completed it)
    final Histogram startCost = histogram();
    final Histogram migrationMax = histogram();
    long samples;
    long firstPointMoves;
    long missedAfterStart;
    long notMigrated;
    final List<Double> quiet = new ArrayList<>();
    final List<Double> migrating = new ArrayList<>();
    double migratingSeconds;
    String failure;
    String note = "";

    ScenarioResult(String name, String kind, int threads, int workMicros) {
        this.name = name;
        this.kind = kind;
        this.threads = threads;
        this.workMicros = workMicros;
    }

    private static Histogram histogram() {
        return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    }
}
