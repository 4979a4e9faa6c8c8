package dev.atlas.bench.delay;

import dev.atlas.core.Migration;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.quiescence.QuiescentThreadPool;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The idle scenario: a {@link QuiescentThreadPool} with no tasks, every worker blocked in {@code take()}.
 * Baseline: zero; the migrator is expected to move each of them at once, within {@code start()}.
 * Afterwards, check tasks verify that every worker runs in the view it was moved to while idle.
 */
final class IdleScenario {

    private IdleScenario() {
    }

    static ScenarioResult run(DelayOptions o, int n) throws InterruptedException {
        String name = "idle pool " + n;
        ScenarioResult res = new ScenarioResult(name, "idle", n, 0);
        System.out.printf(Locale.ROOT, "running %-22s ... ", name);
        System.out.flush();
        ViewSpace space = ViewSpace.create("bench-idle-" + n);
        QuiescentThreadPool pool = QuiescentThreadPool.create(space, n, "idle");
        try {
            awaitIdle(space, n);
            Views views = new Views(space, o.freshViews());
            for (int i = 0; i < o.warmupMigrations() + o.migrations(); i++) {
                boolean recorded = i >= o.warmupMigrations();
                View target = views.next();
                long request = System.nanoTime();
                Migration m = space.migrate(target).executor(pool).makeDefault().start();
                long started = System.nanoTime();
                MigrationReport report = MigrationAwait.await(m);
                views.migrated();
                if (recorded) {
                    DelayRecorder.recordIdleMigration(res, request, started, report);
                }
                LockSupport.parkNanos(ThroughputWindows.seconds(o.windowSeconds()) / o.migrations());
            }
            // check: every worker runs its next task in the view it was moved to while idle
            long expected = space.defaultView().id();
            int tasks = 4 * n;
            AtomicInteger wrong = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(tasks);
            for (int i = 0; i < tasks; i++) {
                pool.execute(() -> {
                    if (space.current().id() != expected) {
                        wrong.incrementAndGet();
                    }
                    done.countDown();
                });
            }
            if (!done.await(10, TimeUnit.SECONDS)) {
                throw new MigrationFailed("check tasks did not finish");
            }
            res.note = wrong.get() == 0 ? tasks + " check tasks ran in the new view"
                    : wrong.get() + " of " + tasks + " check tasks ran in an OLD view";
        } catch (MigrationFailed e) {
            res.failure = e.getMessage();
        } finally {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
            space.close();
        }
        System.out.println(res.failure == null ? "done" : "FAILED");
        return res;
    }

    private static void awaitIdle(ViewSpace space, int n) throws InterruptedException, MigrationFailed {
        long deadline = System.nanoTime() + MigrationAwait.TIMEOUT.toNanos();
        while (space.describe().threads().stream().filter(t -> t.idle()).count() < n) {
            if (System.nanoTime() - deadline > 0) {
                throw new MigrationFailed("pool workers did not become idle");
            }
            Thread.sleep(5);
        }
    }
}
