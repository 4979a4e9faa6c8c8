package dev.atlas.core;

/**
 * One thread's pending move to {@link #target()}, on behalf of one migration entry.
 * Holds one pin on its target from creation until it is settled. Settled exactly once,
 * by whichever thread removed it from the binding's state (see {@link ThreadBinding}).
 * Compared by identity: each ticket is one CAS-able object.
 */
final class MigrationTicket {
    private final Migration.Entry entry;
    private final View target;
    private final boolean isReturn;

    /**
     * @param entry    the migration entry it belongs to
     * @param target   the view the thread moves to
     * @param isReturn whether this is the way back of a cancelled migration
     */
    MigrationTicket(Migration.Entry entry, View target, boolean isReturn) {
        this.entry = entry;
        this.target = target;
        this.isReturn = isReturn;
    }

    Migration.Entry entry() {
        return entry;
    }

    View target() {
        return target;
    }

    boolean isReturn() {
        return isReturn;
    }

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

    @Override
    public String toString() {
        return (isReturn ? "ReturnTicket[" : "Ticket[") + "migration " + entry.migration().id() + " -> view " + target.id() + "]";
    }
}
