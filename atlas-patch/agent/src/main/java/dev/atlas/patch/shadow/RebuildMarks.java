package dev.atlas.patch.shadow;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-object once-markers of one object rebuild: which objects of a class already have the
 * state the new release's code builds, kept beside the objects like a {@link ShadowField}. An
 * object is <em>built</em> when the new view's constructor made it ({@link #markBuilt}) or when a
 * rebuild ran to its end on it ({@link #ensureRebuilt}); every other object is rebuilt at most
 * once, by the first thread that calls {@code ensureRebuilt} on it, before that call returns.
 *
 * <p>A rebuild that throws leaves the object unmarked (as if it had never started: its partial
 * writes stay, the next {@code ensureRebuilt} runs it again) and the exception goes to the thread
 * that ran it; threads that waited for it try again themselves.
 *
 * <p>Threading: shared; every method may be called from any thread. A rebuild's action may call
 * {@code ensureRebuilt} for the same object on its own thread (the rebuild method calls other
 * methods of the class): that call returns at once, as a recursive class initialisation does.
 *
 * <p>Memory ordering: a rebuild's writes happen-before the volatile write of its mark's
 * {@code DONE} state, and every {@code ensureRebuilt} that returns without running the action
 * read that state (or the shared {@code BUILT} mark, published through the map) with a volatile
 * read: so a thread that passes the marker sees the rebuilt state. Objects made by the new view's
 * constructor are marked before the constructor's own code runs on them, on the constructing
 * thread; they are not shared yet.
 *
 * <p>Progress: an object already marked costs a lock-free map read and a volatile read
 * ({@code ConcurrentHashMap.get}). A thread that finds another thread rebuilding the same object
 * blocks until that rebuild ends (as class initialisation blocks), since its call must not run on
 * the old state; it never blocks for a rebuild of another object. So, as with class
 * initialisation, a rebuild that waits for a thread that is itself waiting for the same object's
 * rebuild deadlocks; the rebuild method is the operator's claim of a method that resets state,
 * which waits for nothing.
 *
 * <p>Memory: one weak map entry per object marked (made in the new view, or rebuilt), dropped
 * when the object is collected.
 */
public final class RebuildMarks {
    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int FAILED = 2;

    /** One object's marker. Monitor: guards the wait for a running rebuild. */
    private static final class Mark {
        volatile Thread runner;   // the rebuilding thread while RUNNING; null once settled (no thread kept alive) and for BUILT
        volatile int state;

        Mark(Thread runner, int state) {
            this.runner = runner;
            this.state = state;
        }

        synchronized void settle(int s) {
            state = s;
            runner = null;
            notifyAll();
        }

        /** Waits, uninterruptibly, until the rebuild this mark stands for has ended. */
        synchronized void awaitSettled() {
            boolean interrupted = false;
            while (state == RUNNING) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The mark of every object made by the new view's constructor: shared, never changes. */
    private static final Mark BUILT = new Mark(null, DONE);

    /** What a rebuild runs on an object. */
    @FunctionalInterface
    public interface Action {
        void rebuild(Object self) throws Throwable;
    }

    private final WeakIdentityMap<Mark> marks = new WeakIdentityMap<>();
    private final AtomicLong rebuilt = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** Marks {@code self}, which the new release's constructor is building, as needing no rebuild. */
    public void markBuilt(Object self) {
        marks.computeIfAbsent(self, k -> BUILT);
    }

    /** Whether {@code self} is marked: made by the new view's constructor, or rebuilt. */
    public boolean isBuilt(Object self) {
        Mark m = marks.get(self);
        return m != null && m.state == DONE;
    }

    /**
     * Runs {@code action} on {@code self} unless it is marked, once, whichever threads call this at
     * the same time; returns when {@code self} is marked (or, on the thread running the rebuild, at
     * once for a recursive call).
     *
     * @throws Throwable what the action threw, on the thread that ran it (the object stays unmarked)
     */
    public void ensureRebuilt(Object self, Action action) throws Throwable {
        Mark m = marks.get(self);
        if (m != null && m.state == DONE) {
            return;
        }
        Thread me = Thread.currentThread();
        for (;;) {
            Mark mine = new Mark(me, RUNNING);
            m = marks.computeIfAbsent(self, k -> mine);
            if (m == mine) {
                run(self, action, mine);
                return;
            }
            if (m.state == DONE || m.runner == me) {
                return;   // built, or a call from inside this thread's own rebuild of it
            }
            m.awaitSettled();
            if (m.state == DONE) {
                return;
            }
            // FAILED: its runner took the mark out before settling it; try again
        }
    }

    private void run(Object self, Action action, Mark mine) throws Throwable {
        try {
            action.rebuild(self);
        } catch (Throwable t) {
            marks.remove(self, mine);
            failed.incrementAndGet();
            mine.settle(FAILED);
            throw t;
        }
        rebuilt.incrementAndGet();
        mine.settle(DONE);
    }

    /** How many objects a rebuild ran to its end on. */
    public long rebuiltCount() {
        return rebuilt.get();
    }

    /** How many rebuilds threw (each left its object unmarked, to be rebuilt again at its next use). */
    public long failedCount() {
        return failed.get();
    }

    /** Objects marked and not collected (made in the new view, or rebuilt). */
    public int size() {
        return marks.size();
    }
}
