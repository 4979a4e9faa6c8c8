package dev.atlas.core;

/**
 * The life of a {@link View}.
 *
 * <pre>
 *   PREPARING --publish--> ACTIVE --retire()--> RETIRING --last pin released--> RETIRED
 *       |                                                                          ^
 *       +---------------------------abandon()--------------------------------------+
 * </pre>
 *
 * <p>Only {@code ACTIVE} views accept new threads. A {@code RETIRING} view keeps serving
 * the threads still bound to it; it becomes {@code RETIRED}, and its cleanup actions run
 * exactly once, when no thread is bound to it and no migration references it any more.
 */
public enum ViewState {
    /** Derived from a parent; divergences are being declared; no thread can enter yet. */
    PREPARING,
    /** Published and immutable; threads may be bound or migrated to it. */
    ACTIVE,
    /** Retirement requested; no new thread may enter; waiting for the last one to leave. */
    RETIRING,
    /** Unreachable by every thread; cleanup actions have been run (or are being run). */
    RETIRED
}
