package dev.atlas.demo.runtime;

import java.util.Arrays;

/**
 * The requests one thread ran: when each ended, how long it took, what it saw. Written by
 * its thread only, without synchronisation; read after that thread has stopped (a join or
 * a pool's awaitTermination orders the reads after the writes).
 */
final class RequestLog {
    private final WorkerKind kind;
    private long[] endNanos = new long[1024];
    private long[] latencyNanos = new long[1024];
    private RequestOutcome[] outcomes = new RequestOutcome[1024];
    private boolean[] valid = new boolean[1024];
    private int size;

    RequestLog(WorkerKind kind) {
        this.kind = kind;
    }

    WorkerKind kind() {
        return kind;
    }

    void record(long endNanos, long latencyNanos, RequestOutcome outcome, boolean validResult) {
        if (size == this.endNanos.length) {
            int n = size * 2;
            this.endNanos = Arrays.copyOf(this.endNanos, n);
            this.latencyNanos = Arrays.copyOf(this.latencyNanos, n);
            this.outcomes = Arrays.copyOf(this.outcomes, n);
            this.valid = Arrays.copyOf(this.valid, n);
        }
        this.endNanos[size] = endNanos;
        this.latencyNanos[size] = latencyNanos;
        this.outcomes[size] = outcome;
        this.valid[size] = validResult;
        size++;
    }

    int size() {
        return size;
    }

    long endNanos(int i) {
        return endNanos[i];
    }

    long latencyNanos(int i) {
        return latencyNanos[i];
    }

    RequestOutcome outcome(int i) {
        return outcomes[i];
    }

    boolean valid(int i) {
        return valid[i];
    }
}
