package dev.atlas.bench.delay;

import dev.atlas.core.MigrationReport;
import dev.atlas.core.ThreadMigrationState;
import dev.atlas.core.ThreadProgress;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Records one measured migration into a {@link ScenarioResult}'s HdrHistograms (all in ns): atlas's own
 * per-thread delay from the {@link MigrationReport}, the {@code start()} cost, and for the loop workers the
 * harness-clock end-to-end delay against the natural baseline (the first quiescence point after the request).
 */
final class DelayRecorder {

    private DelayRecorder() {
    }

    /**
     * A loop-worker migration requested at {@code request} (just before {@code start()}), whose
     * {@code start()} returned at {@code started}; every worker has published its move in its {@link Probe}.
     */
    static void recordLoopMigration(ScenarioResult res, AtomicReferenceArray<Probe> probes, long request, long started,
                                    MigrationReport report) {
        res.startCost.recordValue(started - request);
        res.migrationMax.recordValue(report.maxDelay().toNanos());
        recordDelays(report, res);
        long longestAdopt = 0;
        for (int i = 0; i < probes.length(); i++) {
            Probe p = probes.get(i);
            longestAdopt = Math.max(longestAdopt, p.moveAfterNanos - p.moveBeforeNanos);
            res.endToEnd.recordValue(Math.max(0, p.moveAfterNanos - request));
            res.nextPoint.recordValue(Math.max(0, p.firstPointNanos - request));
            res.excess.recordValue(Math.max(0, p.moveAfterNanos - p.firstPointNanos));
            res.adoptCall.recordValue(Math.max(0, p.moveAfterNanos - p.moveBeforeNanos));
            if (p.points == 1) {
                res.firstPointMoves++;
            }
            if (p.lastMissNanos > started) {   // passed a quiescence point after its ticket was installed
                res.missedAfterStart++;
            }
        }
        res.adoptCallMax.recordValue(Math.max(0, longestAdopt));
    }

    /** An idle-pool migration: only atlas's delays and the {@code start()} call, which moved the idle threads. */
    static void recordIdleMigration(ScenarioResult res, long request, long started, MigrationReport report) {
        res.startCost.recordValue(started - request);
        res.migrationMax.recordValue(report.maxDelay().toNanos());
        recordDelays(report, res);
    }

    private static void recordDelays(MigrationReport report, ScenarioResult res) {
        for (ThreadProgress tp : report.threads()) {
            res.samples++;
            if (tp.state() == ThreadMigrationState.MIGRATED && tp.delay().isPresent()) {
                res.delay.recordValue(tp.delay().get().toNanos());
            } else {
                res.notMigrated++;
            }
        }
    }
}
