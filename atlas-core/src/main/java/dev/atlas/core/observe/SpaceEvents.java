package dev.atlas.core.observe;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The event side of one view space: its {@link SpaceListener}s, the JFR events and the log
 * lines of retirements and finished migrations. The space owns one and calls it with plain
 * values (ids, names, durations), so this package knows nothing of the space's types.
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=listener}
 *
 * <p>Threading contract: {@link #addListener}, {@link #removeListener} and
 * {@link #hasListeners} from any thread; {@link #retired}, {@link #migrationCompleted} and
 * the {@link #threadMigrated} job run on the space's housekeeper (or, after the space
 * closed, on the thread that released the last pin), never on a worker at a quiescence
 * point.
 *
 * <p>Implementation notes: {@link #threadMigrated} is built on the migrating worker and
 * returns a record, not a lambda, so that thread links no call site; a listener or cleanup
 * action that throws is logged and the others still run.
 */
public final class SpaceEvents {
    private static final System.Logger LOG = System.getLogger("dev.atlas.core");

    private final String space;
    private final CopyOnWriteArrayList<SpaceListener> listeners = new CopyOnWriteArrayList<>();

    /** @param space the space's name, for log lines */
    public SpaceEvents(String space) {
        this.space = Objects.requireNonNull(space, "space");
    }

    /** Listeners are called in order on the housekeeper thread. */
    public void addListener(SpaceListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public boolean removeListener(SpaceListener listener) {
        return listeners.remove(listener);
    }

    /** Whether any listener is registered (a migrating worker skips building an event if not). */
    public boolean hasListeners() {
        return !listeners.isEmpty();
    }

    /**
     * A view retired: runs its cleanup {@code actions} (a failing one is logged, the others
     * still run), then records the JFR event, logs and tells the listeners.
     *
     * @param describedView the view as log lines name it, e.g. {@code "view-3 (#3)"}
     * @param createdNanos  {@link System#nanoTime()} when the view was created
     */
    public void retired(long viewId, String viewName, String describedView, long createdNanos,
                        List<Runnable> actions) {
        int failed = 0;
        long t0 = System.nanoTime();
        ViewRetiredEvent ev = new ViewRetiredEvent();
        ev.begin();
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (Throwable t) {
                failed++;
                LOG.log(Level.WARNING, "space '" + space + "': a cleanup action of view " + describedView + " failed", t);
            }
        }
        Duration lifetime = Duration.ofNanos(t0 - createdNanos);
        if (ev.shouldCommit()) {
            ev.viewId = viewId;
            ev.viewName = viewName;
            ev.lifetimeNanos = lifetime.toNanos();
            ev.cleanupActions = actions.size();
            ev.failedCleanupActions = failed;
            ev.commit();
        }
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "space '" + space + "': view " + describedView + " retired after "
                    + lifetime.toMillis() + " ms");
        }
        var event = new SpaceListener.ViewRetired(viewId, viewName, lifetime, actions.size(), failed);
        for (SpaceListener l : listeners) {
            try {
                l.viewRetired(event);
            } catch (Throwable t) {
                listenerFailed(l, t);
            }
        }
    }

    /**
     * The job that tells the listeners one thread moved; built on the migrating thread (no
     * lambda linkage, no logging), run by the caller on the housekeeper.
     */
    public Runnable threadMigrated(SpaceListener.ThreadMigrated event) {
        return new Notification(this, event);
    }

    /** A migration finished (DONE or CANCELLED): logs and tells the listeners. */
    public void migrationCompleted(SpaceListener.MigrationCompleted event) {
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "space '" + space + "': migration " + event.migrationId() + " " + event.outcome()
                    + ", " + event.threads() + " thread(s), slowest " + event.slowestThread().toNanos() / 1000 + " us");
        }
        for (SpaceListener l : listeners) {
            try {
                l.migrationCompleted(event);
            } catch (Throwable t) {
                listenerFailed(l, t);
            }
        }
    }

    /** A listener call queued from a worker; a class, not a lambda, so no call-site linkage on a worker. */
    private record Notification(SpaceEvents events, SpaceListener.ThreadMigrated event) implements Runnable {
        @Override
        public void run() {
            for (SpaceListener l : events.listeners) {
                try {
                    l.threadMigrated(event);
                } catch (Throwable t) {
                    events.listenerFailed(l, t);
                }
            }
        }
    }

    private void listenerFailed(SpaceListener l, Throwable t) {
        LOG.log(Level.WARNING, "space '" + space + "': listener " + l + " failed", t);
    }
}
