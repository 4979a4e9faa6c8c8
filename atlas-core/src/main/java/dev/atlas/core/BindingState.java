package dev.atlas.core;

/**
 * The state of one thread's binding, replaced as a whole by compareAndSet so that the
 * view a thread runs in, its pending migration ticket and its idle flag always change
 * together. Instances with no pending ticket are canonical per view
 * ({@link View#runningState}, {@link View#idleState}), so the common transitions
 * (going idle and back) allocate nothing.
 *
 * <p>Invariant: {@code idle} implies {@code pending == null}; a migration that reaches
 * an idle thread moves it at once instead of leaving a ticket.
 *
 * @param current the view the thread runs in
 * @param pending the migration ticket waiting for the thread's next quiescence point
 * @param idle    whether the thread is parked at a declared idle point
 * @param exited  whether the thread has died or unbound; terminal
 */
record BindingState(View current, MigrationTicket pending, boolean idle, boolean exited) {

    BindingState withPending(MigrationTicket ticket) {
        return ticket == null
                ? (idle ? current.idleState : current.runningState)
                : new BindingState(current, ticket, false, false);
    }

    /** Records compare by identity here, never by value: CAS needs identity. */
    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
