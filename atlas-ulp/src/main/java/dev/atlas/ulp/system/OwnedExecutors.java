package dev.atlas.ulp.system;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Timer;
import java.util.concurrent.ExecutorService;

/**
 * The executors (thread pools, fork-join pools, thread-per-task executors) and timers one
 * program created, stopped when the program ends: {@code shutdownNow} for an executor,
 * {@code cancel} for a timer. In its own JVM such a pool ends with the process; in a host an
 * idle worker of a pool the program never shut down would otherwise wait out its keep-alive
 * (a cached pool's 60 s; a fixed pool's forever) and keep the program's class loader, classes
 * and statics reachable (its task, its pool's thread factory and queue, its thread-locals).
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=owned-executors}
 *
 * <p>Thread safety: all methods may be called from any thread.
 *
 * <p>Implementation notes: entries are weak. A pool with a live worker is strongly reachable
 * from that worker (the worker's task is the pool's {@code Worker}, or a thread-per-task
 * executor's {@code TaskRunner}); a timer with a live thread is reachable while its tasks can
 * still run (an unreachable {@code Timer} is cancelled by the JDK's own cleaner). So what a
 * weak entry loses had nothing left to stop, and a program that creates and drops executors
 * by the thousand does not grow this list: cleared entries are purged whenever the list has
 * doubled since the last purge. Invariants (under this object's lock): 1. once
 * {@link #stopAll()} ran, {@code stopped} is true and the list is empty; 2. an executor added
 * after that is stopped at once by {@link #add}, outside the lock.
 */
public final class OwnedExecutors {
    private final List<WeakReference<Object>> owned = new ArrayList<>();   // guarded by this
    private int purgeAt = 16;                                               // guarded by this
    private boolean stopped;                                                // guarded by this

    /** Records an {@link ExecutorService} or {@link Timer} of the program; stops it at once if the program has ended. */
    void add(Object executorOrTimer) {
        if (!(executorOrTimer instanceof ExecutorService) && !(executorOrTimer instanceof Timer)) {
            throw new IllegalArgumentException("expected an ExecutorService or a Timer, got " + executorOrTimer);
        }
        synchronized (this) {
            if (!stopped) {
                if (owned.size() >= purgeAt) {
                    owned.removeIf(r -> r.get() == null);
                    purgeAt = Math.max(16, owned.size() * 2);
                }
                owned.add(new WeakReference<>(executorOrTimer));
                return;
            }
        }
        stop(executorOrTimer);
    }

    /** How many executors and timers are recorded and still reachable. */
    public synchronized int size() {
        int n = 0;
        for (WeakReference<Object> r : owned) {
            if (r.get() != null) {
                n++;
            }
        }
        return n;
    }

    /** How many entries the list holds, cleared ones included (for tests of the purge). */
    synchronized int entries() {
        return owned.size();
    }

    /**
     * Stops every recorded executor and timer, once: later calls, and executors added later,
     * find nothing recorded (see {@link #add}). Returns what was stopped; an executor whose
     * {@code shutdownNow} threw (a program's subclass) is skipped, the others are still stopped.
     */
    public List<Object> stopAll() {
        List<Object> live = new ArrayList<>();
        synchronized (this) {
            stopped = true;
            for (WeakReference<Object> r : owned) {
                Object o = r.get();
                if (o != null) {
                    live.add(o);
                }
            }
            owned.clear();
        }
        List<Object> done = new ArrayList<>(live.size());
        for (Object o : live) {
            if (stop(o)) {
                done.add(o);
            }
        }
        return done;
    }

    /** Whether any recorded executor or timer is an instance of a class its program defined (its code runs when stopped). */
    public synchronized boolean anyProgramDefined() {
        for (WeakReference<Object> r : owned) {
            Object o = r.get();
            if (o != null && o.getClass().getClassLoader() instanceof ProgramScoped) {
                return true;
            }
        }
        return false;
    }

    private static boolean stop(Object o) {
        try {
            switch (o) {
                case ExecutorService e -> e.shutdownNow();
                case Timer t -> t.cancel();
                default -> throw new IllegalStateException("unexpected " + o.getClass());
            }
            return true;
        } catch (RuntimeException failed) {
            return false;   // a program's override threw: the program has ended, the others are still stopped
        }
    }
}
