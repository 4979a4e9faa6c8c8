package dev.atlas.memory.snapshot;

import dev.atlas.core.Migration;
import dev.atlas.core.MigrationTimeoutException;
import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** See {@link SnapshotCut#quiescent}. */
final class QuiescentCut implements SnapshotCut {
    private static final AtomicLong EPOCHS = new AtomicLong();

    private final ViewSpace space;
    private final View fixedHome;   // null: the default view at each cut
    private final List<Thread> writers;
    private final Duration timeout;

    QuiescentCut(ViewSpace space, View home, List<Thread> writers, Duration timeout) {
        this.space = space;
        this.fixedHome = home;
        this.writers = writers;
        this.timeout = timeout;
    }

    @Override
    public CutTiming cut(Runnable atTheCut) {
        Gate gate = new Gate();
        View home = fixedHome != null ? fixedHome : space.defaultView();
        View epoch = space.derive(home, "snapshot-cut-" + EPOCHS.incrementAndGet()).diverge(Gate.KEY, gate).publish();
        long t0 = System.nanoTime();
        Migration m = null;
        try {
            m = space.migrate(epoch).threads(writers).start();
            m.await(timeout);
        } catch (MigrationTimeoutException e) {
            m.cancel();
            release(gate, home, epoch);
            throw new SnapshotCutException("the writers did not all reach a quiescence point within " + timeout
                    + " (nothing was snapshotted): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (m != null) {
                m.cancel();
            }
            release(gate, home, epoch);
            throw new SnapshotCutException("interrupted while stopping the writers (nothing was snapshotted)", e);
        } catch (RuntimeException e) {
            if (m != null) {
                m.cancel();
            }
            release(gate, home, epoch);
            throw e;
        }
        long stopped = System.nanoTime();
        long opened;
        long first;
        try {
            atTheCut.run();
        } finally {
            opened = System.nanoTime();
            first = gate.open();
            release(gate, home, epoch);
        }
        Duration pause = first < 0 ? Duration.ZERO : Duration.ofNanos(Math.max(0, opened - first));
        return new CutTiming(Duration.ofNanos(stopped - t0), pause, Duration.ofNanos(opened - stopped));
    }

    private void release(Gate gate, View home, View epoch) {
        gate.open();
        try {
            space.migrate(home).threads(writers).start();   // each goes back at its next quiescence point
        } catch (RuntimeException e) {
            // the default view is retiring, the space closing or a writer gone: nobody to send back
        }
        epoch.retire();
    }

    @Override
    public String toString() {
        return "SnapshotCut.quiescent(" + space.name() + ", " + writers.size() + " writers, " + timeout + ")";
    }
}
