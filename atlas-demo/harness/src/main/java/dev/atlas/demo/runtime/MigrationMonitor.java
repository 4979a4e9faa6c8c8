package dev.atlas.demo.runtime;

import dev.atlas.core.observe.SpaceListener;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Prints a migration's progress as it happens: one line per platform thread, one for all
 * the virtual threads once the last of them has moved, one when the old view retires and
 * one when the migration completes. Called on the space's housekeeper thread, never on a
 * worker, so printing here slows no thread of the load.
 */
final class MigrationMonitor implements SpaceListener {
    private final PrintWriter out;
    private final int virtualThreads;
    private final long oldViewId;
    private final CountDownLatch completed = new CountDownLatch(1);
    private final CountDownLatch oldViewRetired = new CountDownLatch(1);
    private volatile boolean muted;
    // housekeeper thread only
    private int virtualMoved;
    private Duration firstVirtual;

    MigrationMonitor(PrintWriter out, int virtualThreads, long oldViewId) {
        this.out = out;
        this.virtualThreads = virtualThreads;
        this.oldViewId = oldViewId;
    }

    @Override
    public void threadMigrated(ThreadMigrated e) {
        WorkerKind kind = WorkerKind.of(e.threadName());
        if (kind == WorkerKind.VIRTUAL) {
            if (virtualMoved++ == 0) firstVirtual = e.delay();
            if (virtualMoved == virtualThreads) {
                progress(e.delay(), "all " + virtualThreads + " virtual threads", "first at +" + Fmt.millis(firstVirtual) + " ms",
                        e.remaining());
            }
        } else {
            progress(e.delay(), e.threadName(), kind.label(), e.remaining());
        }
    }

    /** Stops printing (the report is being printed); the latches keep working. */
    void mute() {
        muted = true;
    }

    private void print(String line) {
        if (!muted) out.println(line);
    }

    private void progress(Duration delay, String who, String what, int remaining) {
        print(Fmt.f("  +%9s ms  %-24s %-24s %3d to go", Fmt.millis(delay), who, what, remaining));
    }

    @Override
    public void viewRetired(ViewRetired e) {
        if (e.viewId() != oldViewId) return;
        print(Fmt.f("  view %d '%s' RETIRED: its last thread has left; %d cleanup action(s) run, %d failed",
                e.viewId(), e.viewName(), e.cleanupActions(), e.failedCleanupActions()));
        oldViewRetired.countDown();
    }

    @Override
    public void migrationCompleted(MigrationCompleted e) {
        if (virtualMoved > 0 && virtualMoved < virtualThreads) {
            print(Fmt.f("  only %d of %d virtual threads moved", virtualMoved, virtualThreads));
        }
        print(Fmt.f("  migration %d %s: %d threads, the slowest moved at +%s ms", e.migrationId(), e.outcome(),
                e.threads(), Fmt.millis(e.slowestThread())));
        completed.countDown();
    }

    /** Waits until the completion has been printed (so the report comes after the progress). */
    boolean awaitCompleted(Duration timeout) throws InterruptedException {
        return completed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    boolean awaitOldViewRetired(Duration timeout) throws InterruptedException {
        return oldViewRetired.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
