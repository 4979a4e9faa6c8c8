package dev.atlas.bench.delay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's counters, allocated by the worker itself and padded on both sides so
 * that neither the allocator nor a GC puts two workers' hot fields on one cache line.
 */
final class Probe extends ProbeFields {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    private static final VarHandle ITERATIONS;
    private static final VarHandle MOVED_FOR;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ITERATIONS = l.findVarHandle(ProbeFields.class, "iterations", long.class);
            MOVED_FOR = l.findVarHandle(ProbeFields.class, "movedFor", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Probe() {
        MOVED_FOR.setRelease(this, Control.NO_REQUEST);
    }

    void iterations(long n) {
        ITERATIONS.setOpaque(this, n);
    }

    long iterations() {
        return (long) ITERATIONS.getOpaque(this);
    }

    void moved(long request, long firstPoint, long lastMiss, long before, long after, int pts) {
        firstPointNanos = firstPoint;
        lastMissNanos = lastMiss;
        moveBeforeNanos = before;
        moveAfterNanos = after;
        points = pts;
        MOVED_FOR.setRelease(this, request);
    }

    long movedFor() {
        return (long) MOVED_FOR.getAcquire(this);
    }
}

/** Padding before a {@link Probe}'s fields. */
class ProbePadBefore {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** A {@link Probe}'s fields, between the two paddings. */
class ProbeFields extends ProbePadBefore {
    long iterations;        // opaque writes by the owner
    long movedFor;          // request it moved for; release-written after the fields below
    long firstPointNanos;   // first quiescence point at or after the request
    long moveBeforeNanos;   // just before the quiescent() call that moved it
    long moveAfterNanos;    // just after it returned
    int points;             // quiescence points since the request, the moving one included
    long lastMissNanos;     // latest point at or after the request that did not move it (0: none)
    long sink;
}

