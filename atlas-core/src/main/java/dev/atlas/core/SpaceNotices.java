package dev.atlas.core;

import dev.atlas.core.observe.MigrationCompletedEvent;
import dev.atlas.core.observe.SpaceEvents;
import dev.atlas.core.observe.SpaceListener;
import dev.atlas.core.observe.ThreadMigratedEvent;
import dev.atlas.core.observe.ViewRetiredEvent;
import dev.atlas.core.reclaim.Housekeeper;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where a {@link ViewSpace}'s events go: a view's retirement (its cleanup actions, JFR,
 * log, listeners), a thread's migration and a migration's end are handed to the space's
 * housekeeper thread, which runs them through {@link SpaceEvents}; the housekeeper also
 * sweeps the bindings of dead threads.
 *
 * <p>Threading: the {@code on...} methods are called on worker and migrating threads: no
 * lambda linkage, no logging, at most one lock-free enqueue each; everything else runs on the
 * housekeeper (or, after {@link #close()}, on the calling thread).
 */
final class SpaceNotices implements AutoCloseable {
    private static final Duration SWEEP_INTERVAL = Duration.ofMillis(100);

    static {
        // Load and initialise the JFR event classes now, on the thread creating the first
        // space, not on the first worker that adopts a migration: their first use loads
        // hundreds of JFR classes (measured: a 100-360 ms stall of that worker).
        new ThreadMigratedEvent().isEnabled();
        new MigrationCompletedEvent().isEnabled();
        new ViewRetiredEvent().isEnabled();
    }

    private final SpaceEvents events;
    private final Housekeeper housekeeper;

    /** Starts the space's housekeeper thread, which also runs {@code sweep} periodically. */
    SpaceNotices(String space, Runnable sweep) {
        this.events = new SpaceEvents(space);
        this.housekeeper = Housekeeper.start("atlas-housekeeper-" + space, SWEEP_INTERVAL, sweep);
    }

    void addListener(SpaceListener listener) {
        events.addListener(listener);
    }

    boolean removeListener(SpaceListener listener) {
        return events.removeListener(listener);
    }

    /** Exactly once per view (View invariant I1), on whichever thread released the last pin. */
    void onViewRetired(View v) {
        run(new Retirement(events, v));
    }

    /** A class, not a lambda: no call-site linkage on the (worker) thread that released the last pin. */
    private record Retirement(SpaceEvents events, View view) implements Runnable {
        @Override
        public void run() {
            events.retired(view.id(), view.name(), view.describe(), view.createdNanos(), view.retireActions());
        }
    }

    /** On the migrating thread. */
    void onThreadMigrated(Migration m, long threadId, String threadName, View from, Duration delay) {
        if (!events.hasListeners()) {
            return;
        }
        run(events.threadMigrated(new SpaceListener.ThreadMigrated(m.id(), threadId, threadName, from.id(),
                m.target().id(), delay, m.remaining())));
    }

    /** On the thread that finished the migration: hands {@code outcome} to the housekeeper. */
    void onMigrationFinished(Runnable outcome) {
        run(outcome);
    }

    /** On the housekeeper: tells the listeners how migration {@code m} ended. */
    void migrationCompleted(Migration m, MigrationReport r) {
        events.migrationCompleted(new SpaceListener.MigrationCompleted(m.id(), m.target().id(), r.outcome().name(),
                r.threads().size(), r.maxDelay(), r.elapsed()));
    }

    private void run(Runnable job) {
        try {
            housekeeper.execute(job);
        } catch (RejectedExecutionException closedSpace) {
            job.run();   // after close: run on the releasing thread rather than lose the cleanup
        }
    }

    /** Stops the housekeeper once its queued jobs have run. */
    @Override
    public void close() {
        housekeeper.close();
    }
}
