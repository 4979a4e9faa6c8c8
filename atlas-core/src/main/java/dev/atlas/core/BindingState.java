package dev.atlas.core;

/**
 * The state of one thread's binding, replaced as a whole by compareAndSet so that the
 * view a thread runs in, its pending migration ticket and its idle flag always change
 * together. Compared by identity (that is what the CAS needs). Instances with no pending
 * ticket are canonical per view ({@link View#runningState}, {@link View#idleState}), so
 * the common transitions (going idle and back) allocate nothing.
 *
 * <p>Invariant: {@code idle} implies {@code pending == null}; a migration that reaches
 * an idle thread moves it at once instead of leaving a ticket.
 */
final class BindingState {
    private final View current;
    private final MigrationTicket pending;
    private final boolean idle;
    private final boolean exited;

    /**
     * @param current the view the thread runs in
     * @param pending the migration ticket waiting for the thread's next quiescence point
     * @param idle    whether the thread is parked at a declared idle point
     * @param exited  whether the thread has died or unbound; terminal
     */
    BindingState(View current, MigrationTicket pending, boolean idle, boolean exited) {
        this.current = current;
        this.pending = pending;
        this.idle = idle;
        this.exited = exited;
    }

    View current() {
        return current;
    }

    MigrationTicket pending() {
        return pending;
    }

    boolean idle() {
        return idle;
    }

    boolean exited() {
        return exited;
    }

    BindingState withPending(MigrationTicket ticket) {
        return ticket == null
                ? (idle ? current.idleState : current.runningState)
                : new BindingState(current, ticket, false, false);
    }

    @Override
    public String toString() {
        return exited ? "EXITED(" + current.id() + ")"
                : (idle ? "IDLE(" : "RUNNING(") + current.id()
                + (pending == null ? "" : ", pending -> " + pending.target().id()) + ")";
    }
}
