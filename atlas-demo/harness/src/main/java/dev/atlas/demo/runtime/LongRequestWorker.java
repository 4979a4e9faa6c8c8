package dev.atlas.demo.runtime;

import dev.atlas.core.ViewSpace;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A platform thread whose requests each wait hundreds of milliseconds on a slow backend,
 * back to back. A migration nearly always finds it inside a request, so it is the
 * straggler: it moves only when its current request is over.
 */
final class LongRequestWorker {
    private final Thread thread;
    private final Duration requestTime;
    private volatile long inRequestSince;   // 0 between requests
    private volatile boolean stopping;

    private LongRequestWorker(ViewSpace space, Duration requestTime, long seed, Recorder recorder, WorkerErrors errors) {
        this.requestTime = requestTime;
        this.thread = Thread.ofPlatform().name(WorkerKind.LONG.namePrefix()).unstarted(
                () -> loop(space, new SplittableRandom(seed), recorder, errors));
    }

    static LongRequestWorker start(ViewSpace space, Duration requestTime, long seed, Recorder recorder,
                                   WorkerErrors errors) {
        LongRequestWorker w = new LongRequestWorker(space, requestTime, seed, recorder, errors);
        w.thread.start();
        return w;
    }

    private void loop(ViewSpace space, SplittableRandom random, Recorder recorder, WorkerErrors errors) {
        space.bindCurrentThread();
        try {
            RequestLog log = recorder.log();
            while (!stopping) {
                space.quiescent();
                long start = System.nanoTime();
                inRequestSince = start;
                Request.run(space, this::callSlowBackend, random.nextInt(), start, log);
                inRequestSince = 0;
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (Throwable t) {
            errors.report(t);
        } finally {
            space.unbindCurrentThread();
        }
    }

    private int callSlowBackend(int x) throws InterruptedException {
        Thread.sleep(requestTime);
        return x;
    }

    /**
     * Waits (the operator only) until this thread has been in its current request for
     * between {@code min} and {@code max}, so a migration started now finds it mid-request.
     *
     * @return false if that did not happen within {@code timeout}
     */
    boolean awaitInRequest(Duration min, Duration max, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            long since = inRequestSince;
            long in = System.nanoTime() - since;
            if (since != 0 && in >= min.toNanos() && in <= max.toNanos()) {
                return true;
            }
            LockSupport.parkNanos(200_000);
        }
        return false;
    }

    void stop(Duration timeout) throws InterruptedException {
        stopping = true;
        thread.interrupt();
        thread.join(timeout);
    }
}
