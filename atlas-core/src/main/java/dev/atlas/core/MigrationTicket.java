package dev.atlas.core;

/**
 * One thread's pending move to {@link #target()}, on behalf of one migration entry.
 * Holds one pin on its target from creation until it is settled. Settled exactly once,
 * by whichever thread removed it from the binding's state (see {@link ThreadBinding}).
 *
 * @param entry  the migration entry it belongs to
 * @param target the view the thread moves to
 * @param isReturn whether this is the way back of a cancelled migration
 */
record MigrationTicket(Migration.Entry entry, View target, boolean isReturn) {

    /** The thread moved from {@code from} to {@link #target()}; called by the CAS winner. */
    void adopted(ThreadBinding binding, View from) {
        entry.migration().adopted(this, binding, from);
    }

    /** A newer ticket replaced this one before the thread adopted it. */
    void superseded() {
        entry.migration().superseded(this);
    }

    /** The thread exited before adopting it. */
    void exited() {
        entry.migration().exited(this);
    }

    /** Identity, not value: each ticket is one CAS-able object. */
    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
