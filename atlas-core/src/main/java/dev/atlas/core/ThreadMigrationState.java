package dev.atlas.core;

/**
 * Where one thread stands in one {@link Migration}.
 *
 * <pre>
 *   PENDING --quiescence point / idle--> MIGRATED --cancel--> RETURNING --> RETURNED
 *      |                                                           |
 *      +--> CANCELLED (cancel before it moved)                     +--> SUPERSEDED | EXITED
 *      +--> SUPERSEDED (a newer migration took the thread over)
 *      +--> EXITED (the thread died or unbound first)
 * </pre>
 */
public enum ThreadMigrationState {
    /** Waiting for the thread's next quiescence point. */
    PENDING,
    /** The thread now runs in the target view. */
    MIGRATED,
    /** The thread died or unbound before it moved. */
    EXITED,
    /** The migration was cancelled before the thread moved; it stayed where it was. */
    CANCELLED,
    /** A newer migration replaced this one for the thread before it moved. */
    SUPERSEDED,
    /** Cancelled after it moved: on its way back at its next quiescence point. */
    RETURNING,
    /** Cancelled after it moved, and moved back. */
    RETURNED;

    /** Whether this state is final for the entry. */
    public boolean isSettled() {
        return this != PENDING && this != RETURNING;
    }
}
