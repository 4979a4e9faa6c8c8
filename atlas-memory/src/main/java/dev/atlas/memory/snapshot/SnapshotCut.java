package dev.atlas.memory.snapshot;

import dev.atlas.core.View;
import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The instant of a snapshot: runs an action while no writer is in the middle of an
 * operation.
 *
 * <p>With {@link #quiescent(ViewSpace, Collection, Duration)} writers do each operation in
 * a scope opened by {@link #enter(ViewSpace)} and reach a quiescence point between
 * operations ({@link ViewSpace#quiescent()}, or idling in {@link ViewSpace#awaitIdle}):
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=snapshot-cut}
 *
 * <p>Thread safety: a cut may be used by one operator thread at a time; {@link #enter} by
 * any number of writer threads.
 */
public sealed interface SnapshotCut permits QuiescentCut, SnapshotCut.Unsynchronized {
    /*
     * Implementation notes.
     *
     * The quiescent cut is a migration of the writers into an epoch view, derived from the
     * default view, whose only divergence is a closed Gate (Gate.KEY). A writer moves at a
     * quiescence point, i.e. between operations, and its next scope (opened through enter())
     * waits at the gate. Once the migration is done, every writer is outside its operations
     * (moved at a quiescence point, or moved while idle and so not in a scope), and stays
     * so until the gate opens: the action runs at an instant between operations of every
     * writer. Then the gate opens, the writers are sent back to the default view (they go
     * at their next quiescence point, without waiting) and the epoch view is retired.
     */

    /**
     * Runs {@code atTheCut} while the writers are stopped between operations.
     *
     * @throws SnapshotCutException if the writers could not be stopped (nothing was run)
     */
    CutTiming cut(Runnable atTheCut);

    /**
     * A cut at a quiescence point of each of {@code writers} (threads bound to
     * {@code space}, in its default view), waiting at most {@code timeout} for them to stop.
     *
     * @throws IllegalArgumentException if {@code writers} is empty or contains the calling
     *                                  thread (it would wait for itself), or the timeout is
     *                                  not positive
     */
    static SnapshotCut quiescent(ViewSpace space, Collection<Thread> writers, Duration timeout) {
        return quiescent(space, null, writers, timeout);
    }

    /**
     * As {@link #quiescent(ViewSpace, Collection, Duration)}, for writers working in
     * {@code home} (null: the default view at each cut): the epoch view is derived from it,
     * so it resolves to the same memory mappings, and the writers go back to it afterwards.
     *
     * @throws IllegalArgumentException also if {@code home} belongs to another space
     */
    static SnapshotCut quiescent(ViewSpace space, View home, Collection<Thread> writers, Duration timeout) {
        Objects.requireNonNull(space, "space");
        if (home != null && home.space() != space) {
            throw new IllegalArgumentException("home view " + home.name() + " belongs to space '" + home.space().name()
                    + "', not '" + space.name() + "'");
        }
        Objects.requireNonNull(writers, "writers");
        Objects.requireNonNull(timeout, "timeout");
        List<Thread> list = List.copyOf(writers);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("writers is empty: name the threads that write (or use SnapshotCut.unsynchronized())");
        }
        if (list.contains(Thread.currentThread())) {
            throw new IllegalArgumentException("writers contains the calling thread '" + Thread.currentThread().getName()
                    + "', which would wait for itself");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return new QuiescentCut(space, home, list, timeout);
    }

    /**
     * A cut that stops nobody: the action runs at once. Use it when nothing writes during
     * the snapshot, or when a page-by-page consistency is enough (each page is as of some
     * moment during the cut action, operations may be torn across pages).
     */
    static SnapshotCut unsynchronized() {
        return Unsynchronized.INSTANCE;
    }

    /**
     * Opens a scope for one writer operation in the calling thread's current view, first
     * waiting while a cut holds the writers ({@link ViewSpace#enter()} otherwise).
     */
    static ViewScope enter(ViewSpace space) {
        ViewScope scope = space.enter();
        Gate gate = scope.view().get(Gate.KEY);
        if (gate != null) {
            gate.pass();
        }
        return scope;
    }

    /**
     * As {@link #enter(ViewSpace)}, for writers that use request scopes
     * ({@link ViewSpace#enterRequest()}: detached, hence movable at once, between requests).
     */
    static ViewScope enterRequest(ViewSpace space) {
        ViewScope scope = space.enterRequest();
        Gate gate = scope.view().get(Gate.KEY);
        if (gate != null) {
            gate.pass();
        }
        return scope;
    }

    /** See {@link #unsynchronized()}. */
    final class Unsynchronized implements SnapshotCut {
        static final Unsynchronized INSTANCE = new Unsynchronized();

        private Unsynchronized() {
        }

        @Override
        public CutTiming cut(Runnable atTheCut) {
            long t0 = System.nanoTime();
            atTheCut.run();
            Duration d = Duration.ofNanos(System.nanoTime() - t0);
            return new CutTiming(Duration.ZERO, Duration.ZERO, d);
        }

        @Override
        public String toString() {
            return "SnapshotCut.unsynchronized()";
        }
    }
}
