package dev.atlas.bench.delay;

/** Written by the harness, read by every worker at every quiescence point. */
final class Control {
    /** {@link #requestNanos} while no migration has been requested. */
    static final long NO_REQUEST = Long.MAX_VALUE;

    volatile long requestNanos = NO_REQUEST;
    volatile boolean stop;
}
