package dev.atlas.bench.delay;

import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The loop of the busy and virtual workers: a scope around a fixed amount of work, then a quiescence
 * point, timestamped so that each move can be compared with the first quiescence point after the request.
 */
final class LoopWorker implements Runnable {
    private final ViewSpace space;
    private final Control control;
    private final AtomicReferenceArray<Probe> probes;
    private final int index;
    private final int units;
    private final boolean yieldAfterPoint;
    private final long sleepNanos;
    private final CountDownLatch gate;

    LoopWorker(ViewSpace space, Control control, AtomicReferenceArray<Probe> probes, int index, int units,
               boolean yieldAfterPoint, long sleepNanos, CountDownLatch gate) {
        this.space = space;
        this.control = control;
        this.probes = probes;
        this.index = index;
        this.units = units;
        this.yieldAfterPoint = yieldAfterPoint;
        this.sleepNanos = sleepNanos;
        this.gate = gate;
    }

    @Override
    public void run() {
        try {
            gate.await();   // all workers start together (else yield-looping virtual threads can starve late starters)
        } catch (InterruptedException e) {
            return;
        }
        final Probe p = new Probe();
        long acc = 0x9E3779B97F4A7C15L + index;
        long n = 0;
        long currentRequest = Control.NO_REQUEST;
        long firstPoint = 0;
        long lastMiss = 0;
        int points = 0;
        boolean published = false;
        while (!control.stop) {
            try (ViewScope s = space.enter()) {
                acc = CalibratedWork.spin(acc, units);
                acc += s.view().id();
            }
            final long t = System.nanoTime();
            final boolean moved = space.quiescent();
            final long r = control.requestNanos;
            if (r != currentRequest) {
                currentRequest = r;
                points = 0;
                lastMiss = 0;
            }
            if (t >= r) {
                if (points++ == 0) {
                    firstPoint = t;
                }
                if (!moved) {
                    lastMiss = t;
                }
            }
            if (moved) {
                if (points == 0) {   // this point began just before the request was published
                    points = 1;
                    firstPoint = t;
                }
                p.moved(r, firstPoint, lastMiss, t, System.nanoTime(), points);
            }
            p.iterations(++n);
            if (!published) {   // after the first scope: the thread is bound
                probes.set(index, p);
                published = true;
            }
            if (sleepNanos > 0) {
                LockSupport.parkNanos(sleepNanos);
            } else if (yieldAfterPoint) {
                Thread.yield();
            }
        }
        p.sink = acc;
    }
}
