package dev.atlas.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The binding of one thread to a view of one space: single-writer for its scope depth
 * (the owner thread), shared for its {@link BindingState} (the owner, migrators, the
 * housekeeper).
 *
 * <p>Implementation notes.
 *
 * <p>All view changes go through one compareAndSet on {@link #state}; the thread that
 * wins the CAS that removes a ticket (or adopts it on behalf of an idle owner) owns that
 * ticket and settles it, so every ticket is settled exactly once. Who may change what:
 * <ol>
 *   <li>the owner: RUNNING(v, t) to RUNNING(t.target) at a quiescence point (scope depth
 *       zero), RUNNING to IDLE and back around a declared idle point or a detached stretch
 *       between request scopes, RUNNING(v, _) or IDLE(v) to the same state in another view
 *       when it switches itself (depth zero; a pending ticket is superseded), anything to
 *       EXITED on unbind;</li>
 *   <li>a migrator: RUNNING(v, _) to RUNNING(v, t) (installing or superseding a ticket),
 *       IDLE(v) to IDLE(t.target) (moving an idle thread at once), RUNNING(v, t) to
 *       RUNNING(v) (cancelling t);</li>
 *   <li>the housekeeper: anything to EXITED once the thread is dead.</li>
 * </ol>
 * A thread in a scope never changes view: only the owner moves itself out of RUNNING,
 * and only at depth zero; a migrator moves only IDLE threads, and a thread is IDLE only
 * outside every scope.
 *
 * <p>Memory ordering: the owner reads {@code state} with a volatile read on the
 * quiescence path (it must see tickets installed by migrators) and plainly in
 * {@link ViewSpace#enter()} (only the owner moves a RUNNING thread between views, and it
 * re-synchronises through the CAS that ends every IDLE period, so its own last write or
 * that CAS is what a plain read returns). The space's volatile {@code closed} flag is read
 * ({@link ViewSpace#enter()}, {@link ViewSpace#enterRequest()}) only when an outermost scope
 * opens (depth zero), never for a nested one: a nested scope
 * needs no view change and no new resource, so a thread inside a scope when the space
 * closes finishes its request; the next outermost scope sees the flag (a thread that opened
 * its outermost scope just before close may run that scope to its end, like any scope
 * open at close).
 *
 * <p>Progress: the quiescence fast path and scope entry are wait-free. Every CAS loop
 * here retries only when another party changed the state, that is, made progress.
 */
final class ThreadBinding {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ThreadBinding.class, "state", BindingState.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ViewSpace space;
    final Thread thread;
    final long threadId;
    final long boundNanos;

    @SuppressWarnings("unused") // accessed through STATE
    private volatile BindingState state;

    /** Open scopes on this thread; written by the owner only. */
    int depth;

    ThreadBinding(ViewSpace space, Thread thread, View initial) {
        this.space = space;
        this.thread = thread;
        this.threadId = thread.threadId();
        this.boundNanos = System.nanoTime();
        this.state = initial.runningState;
    }

    /** Volatile read, for any thread. */
    BindingState state() {
        return (BindingState) STATE.getVolatile(this);
    }

    /** Plain read; correct for the owner only (see class notes). */
    BindingState stateForOwner() {
        return (BindingState) STATE.get(this);
    }

    private boolean cas(BindingState expected, BindingState next) {
        return STATE.compareAndSet(this, expected, next);
    }

    // ------------------------------------------------------------------ owner side

    /**
     * Quiescence point (owner only). Tiny fast path; adoption in the slow path.
     *
     * @return true if the thread changed view
     */
    boolean quiesce() {
        if (depth != 0) {
            return false;
        }
        final BindingState s = state();
        if (s.pending() == null) {
            return false;
        }
        return adoptPending(s);
    }

    private boolean adoptPending(BindingState s) {
        boolean moved = false;
        while (s.pending() != null && !s.exited()) {
            final MigrationTicket t = s.pending();
            if (cas(s, t.target().runningState)) {
                t.adopted(this, s.current()); // may offer a return ticket: the loop takes it
                moved = true;
            }
            s = state();
        }
        return moved;
    }

    /** Owner: opens a scope in the current view ({@link ViewSpace#enter()}). */
    ViewScope openScope() {
        BindingState s = stateForOwner();
        if (s.idle()) {
            s = attach();   // a detached thread: rare, slow path
        }
        final int d = depth + 1;
        depth = d;
        return new ViewScope(this, s.current(), d, false);
    }

    private BindingState attach() {
        exitIdle();
        return stateForOwner();   // the owner's own CAS, or an unchanged running state
    }

    /**
     * Owner: opens a request scope ({@link ViewSpace#enterRequest()}): outermost, it leaves
     * the detached state, passes a quiescence point, and detaches again when closed.
     */
    ViewScope openRequestScope() {
        if (depth != 0) {
            return openScope();
        }
        if (stateForOwner().idle()) {
            exitIdle();
        }
        quiesce();
        depth = 1;
        return new ViewScope(this, stateForOwner().current(), 1, true);
    }

    /** Owner: declares the thread idle, after adopting whatever is pending. */
    void enterIdle() {
        for (;;) {
            final BindingState s = state();
            if (s.pending() != null) {
                adoptPending(s);
            } else if (cas(s, s.current().idleState)) {
                return;
            }
        }
    }

    /** Owner: back from an idle point, in whatever view a migrator moved it to. */
    void exitIdle() {
        for (;;) {
            final BindingState s = state();
            if (!s.idle() || cas(s, s.current().runningState)) {
                return;
            }
        }
    }

    /**
     * Owner, outside every scope: moves itself to {@code target} now, keeping its idle
     * (detached) flag; a pending ticket is superseded (a newer, explicit request). The
     * caller holds one pin on {@code target}, which becomes the binding's pin.
     *
     * @return the view it left (the caller releases that view's pin), or null if the
     *         binding has exited (the caller releases {@code target}'s pin)
     */
    View switchTo(View target) {
        for (;;) {
            final BindingState s = state();
            if (s.exited()) {
                return null;
            }
            if (cas(s, s.idle() ? target.idleState : target.runningState)) {
                if (s.pending() != null) {
                    s.pending().superseded();
                }
                return s.current();
            }
        }
    }

    // ------------------------------------------------------------------ any thread

    /**
     * Hands {@code t} to this thread: installs it for the next quiescence point, or moves
     * an idle (or already-there) thread at once. Settles {@code t} itself if the thread
     * has exited, and settles a ticket it supersedes. A return ticket (the way back of a
     * cancelled migration) applies only while the thread is still in that migration's
     * target with nothing pending; otherwise a newer request owns the thread and the return
     * settles as superseded. (A CAS failure re-reads the state, so a newer ticket installed
     * concurrently is seen; one installed after the return supersedes it as usual.)
     */
    void offer(MigrationTicket t) {
        for (;;) {
            final BindingState s = state();
            if (s.exited()) {
                t.exited();
                return;
            }
            if (t.isReturn() && (s.pending() != null || s.current() != t.entry().migration().target())) {
                // A newer request owns the thread now (a ticket is pending, or it has moved
                // on): the way back of an older, cancelled migration must not override it.
                t.superseded();
                return;
            }
            if (s.idle()) {
                if (cas(s, t.target().idleState)) {
                    t.adopted(this, s.current());
                    return;
                }
            } else if (s.pending() == null && s.current() == t.target()) {
                t.adopted(this, s.current()); // already there: nothing to wait for
                return;
            } else if (cas(s, new BindingState(s.current(), t, false, false))) {
                if (s.pending() != null) {
                    s.pending().superseded();
                }
                return;
            }
        }
    }

    /** Moves a RUNNING thread with nothing pending from {@code from} to {@code to}; false if its state differs. */
    boolean moveUnpended(View from, View to) {
        return cas(from.runningState, to.runningState);
    }

    /** Removes {@code t} if it is still pending; true if this call removed it. */
    boolean withdraw(MigrationTicket t) {
        for (;;) {
            final BindingState s = state();
            if (s.pending() != t) {
                return false;
            }
            if (cas(s, s.withPending(null))) {
                return true;
            }
        }
    }

    /**
     * Ends the binding (thread dead, or unbinding itself): settles a pending ticket as
     * exited and drops the pin on the current view.
     *
     * @return false if it had already ended
     */
    boolean exit() {
        for (;;) {
            final BindingState s = state();
            if (s.exited()) {
                return false;
            }
            if (cas(s, new BindingState(s.current(), null, false, true))) {
                if (s.pending() != null) {
                    s.pending().exited();
                }
                s.current().release(1);
                return true;
            }
        }
    }

    @Override
    public String toString() {
        return "ThreadBinding[" + thread.getName() + "#" + threadId + " " + state() + "]";
    }
}
