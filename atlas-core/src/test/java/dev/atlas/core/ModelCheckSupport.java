package dev.atlas.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Helpers for Lincheck model-checking scenarios over the package-private pieces of the
 * view runtime ({@link View}, {@link ThreadBinding}, {@link Migration}).
 *
 * <p>The scenarios run against a space that is <em>closed</em> before any scenario starts:
 * a closed space has no housekeeper thread (which Lincheck could not control), and it runs
 * retirement cleanup on the thread that released the last pin, so a cleanup counter shows
 * inside the scenario exactly how many times a view was retired.
 */
final class ModelCheckSupport {
    private ModelCheckSupport() {}

    /** Closed: no housekeeper thread; cleanup runs inline on the releasing thread. */
    static final ViewSpace SPACE = closedSpace();

    private static ViewSpace closedSpace() {
        ViewSpace s = ViewSpace.create("model-check");
        s.close();
        return s;
    }

    private static volatile Object sink;

    /**
     * Lincheck 3.7 on JDK 25 treats an object created inside the scenario and handed to
     * threads only through a lambda capture as thread-local, and does not explore races on
     * its fields. Publishing it to a static volatile field first makes it shared.
     */
    static <T> T shared(T obj) {
        sink = obj;
        return obj;
    }

    /** An ACTIVE view of {@link #SPACE} with no cleanup action. */
    static View activeView(long id, String name) {
        return shared(new View(SPACE, id, name, null, false));
    }

    /** An ACTIVE view of {@link #SPACE} whose single cleanup action counts its retirements. */
    static View activeView(long id, String name, AtomicInteger retirements) {
        View v = shared(new View(SPACE, id, name, null, true));
        v.publish(Map.of(), List.of(retirements::incrementAndGet));
        return v;
    }

    /** The first failure of a scenario thread in the current invocation (reset by runAll). */
    private static volatile Throwable threadFailure;

    /**
     * A scenario thread whose failure is reported by {@link #runAll}. (An assertion failing
     * in a plain thread only reaches the uncaught-exception handler: Lincheck, like the JVM,
     * would not count it as a failure of the scenario.)
     */
    static Thread thread(Runnable body) {
        return new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                if (threadFailure == null) threadFailure = t;
            }
        });
    }

    /**
     * Threads that are never started, made once outside every scenario (constructing a
     * Thread under Lincheck is costly): they stand for threads that are busy elsewhere or
     * dead. A binding uses its thread only for its id and name.
     */
    static final Thread BUSY = new Thread(() -> {}, "busy");
    static final Thread DEAD = new Thread(() -> {}, "dead");

    /** Starts threads made by {@link #thread}, joins them all, then rethrows the first failure. */
    static void runAll(Thread... threads) {
        threadFailure = null;
        for (Thread t : threads) t.start();
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        Throwable failure = threadFailure;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new AssertionError("a scenario thread failed", failure);
    }

    /**
     * Opens a scope on {@code b} as {@link ViewSpace#enter()} does once the binding is known
     * (depth + 1, plain read of the owner's state). Owner thread only.
     */
    static ViewScope enter(ThreadBinding b) {
        return b.openScope();
    }

    /**
     * A started-by-the-caller migration of {@code bindings} to {@code target}, set up as
     * {@link ViewSpace#startMigration} does (one target pin per entry) but not launched.
     */
    static Migration migration(long id, View target, ThreadBinding... bindings) {
        target.acquire(bindings.length, "model check");
        return shared(new Migration(SPACE, id, target, List.of(bindings), null));
    }

    /** A binding of {@code thread} to {@code view}, holding the binding's pin on it. */
    static ThreadBinding bind(Thread thread, View view) {
        view.acquire(1, "model check");
        return shared(new ThreadBinding(SPACE, thread, view));
    }

    /** The state of the single entry of a one-thread migration (or of entry {@code i}). */
    static ThreadMigrationState entryState(Migration m, int i) {
        return m.progress().get(i).state();
    }
}
