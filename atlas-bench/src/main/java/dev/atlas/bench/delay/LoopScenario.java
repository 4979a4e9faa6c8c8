package dev.atlas.bench.delay;

import dev.atlas.core.Migration;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

import static dev.atlas.bench.delay.ThroughputWindows.paced;
import static dev.atlas.bench.delay.ThroughputWindows.rate;
import static dev.atlas.bench.delay.ThroughputWindows.seconds;
import static dev.atlas.bench.delay.ThroughputWindows.sleepUntil;

/**
 * The busy (platform threads) and virtual scenarios: workers loop scope / work / quiescence point
 * ({@link LoopWorker}); after a warm-up with a few unrecorded migrations, quiet and migrating windows
 * alternate (Q M Q M .. Q), each migrating window holding its share of the recorded migrations.
 */
final class LoopScenario {

    private LoopScenario() {
    }

    static ScenarioResult run(DelayOptions o, String kind, int n, int workMicros, int units, boolean virtual)
            throws InterruptedException {
        String name = kind + " " + n + "x" + workMicros + "us";
        ScenarioResult res = new ScenarioResult(name, kind, n, workMicros);
        System.out.printf(Locale.ROOT, "running %-22s ... ", name);
        System.out.flush();
        ViewSpace space = ViewSpace.create("bench-" + kind + "-" + n + "-" + workMicros);
        Control control = new Control();
        AtomicReferenceArray<Probe> probes = new AtomicReferenceArray<>(n);
        List<Thread> workers = new ArrayList<>(n);
        Thread.Builder builder = virtual ? Thread.ofVirtual().name(kind + "-", 0) : Thread.ofPlatform().name(kind + "-", 0);
        CountDownLatch gate = new CountDownLatch(1);
        long sleepNanos = virtual ? o.virtualSleepMicros() * 1000L : 0;
        try {
            for (int i = 0; i < n; i++) {
                workers.add(builder.start(new LoopWorker(space, control, probes, i, units, virtual, sleepNanos, gate)));
            }
            gate.countDown();
            awaitAllPublished(probes);
            Views views = new Views(space, o.freshViews());
            // warm-up, with a few unrecorded migrations
            long warmEnd = System.nanoTime() + seconds(o.warmupSeconds());
            paced(o.warmupMigrations(), seconds(o.warmupSeconds()), i -> migrate(space, views, control, probes, null));
            sleepUntil(warmEnd);
            // quiet and migrating windows, alternating: Q M Q M ... Q
            long window = seconds(o.windowSeconds());
            for (int round = 0; round < o.rounds(); round++) {
                res.quiet.add(rate(probes, window, null));
                int count = o.migrations() / o.rounds() + (round < o.migrations() % o.rounds() ? 1 : 0);
                long s = System.nanoTime();
                res.migrating.add(rate(probes, window, () ->
                        paced(count, window, i -> migrate(space, views, control, probes, res))));
                res.migratingSeconds += (System.nanoTime() - s) / 1e9;
            }
            res.quiet.add(rate(probes, window, null));
        } catch (MigrationFailed e) {
            res.failure = e.getMessage();
        } finally {
            control.stop = true;
            gate.countDown();
            for (Thread t : workers) {
                t.join();
            }
            space.close();
        }
        System.out.println(res.failure == null ? "done" : "FAILED");
        return res;
    }

    /** One recorded (res != null) or warm-up migration of the loop workers. */
    private static void migrate(ViewSpace space, Views views, Control control, AtomicReferenceArray<Probe> probes, ScenarioResult res)
            throws InterruptedException, MigrationFailed {
        View target = views.next();
        final long request = System.nanoTime();
        control.requestNanos = request;
        Migration m = space.migrate(target).allThreads().makeDefault().start();
        long started = System.nanoTime();
        MigrationReport report = MigrationAwait.await(m);
        views.migrated();
        // each worker publishes its own record just after its quiescent() call returned
        long deadline = System.nanoTime() + MigrationAwait.TIMEOUT.toNanos();
        for (int i = 0; i < probes.length(); i++) {
            Probe p = probes.get(i);
            while (p.movedFor() != request) {
                if (System.nanoTime() - deadline > 0) {
                    throw new MigrationFailed("worker " + i + " did not record its move for migration " + m.id());
                }
                LockSupport.parkNanos(20_000);
            }
        }
        if (res == null) {
            return;
        }
        DelayRecorder.recordLoopMigration(res, probes, request, started, report);
    }

    private static void awaitAllPublished(AtomicReferenceArray<Probe> probes) throws MigrationFailed {
        long deadline = System.nanoTime() + MigrationAwait.TIMEOUT.toNanos();
        for (int i = 0; i < probes.length(); i++) {
            while (probes.get(i) == null) {
                if (System.nanoTime() - deadline > 0) {
                    throw new MigrationFailed("worker " + i + " did not start");
                }
                LockSupport.parkNanos(100_000);
            }
        }
    }
}
