package dev.atlas.demo.runtime;

import dev.atlas.core.ViewSpace;
import dev.atlas.core.quiescence.QuiescentThreadPool;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A QuiescentThreadPool of platform workers, fed by a generator thread at a steady rate
 * (open loop: a request's latency counts from its scheduled time, so queueing shows up).
 * The generator is not bound to the space; only the workers are.
 */
final class PoolLoad {
    private final QuiescentThreadPool pool;
    private final Thread generator;
    private volatile boolean stopping;

    private PoolLoad(QuiescentThreadPool pool, ViewSpace space, int rate, Work work, long seed,
                     Recorder recorder, WorkerErrors errors) {
        this.pool = pool;
        this.generator = Thread.ofPlatform().name("load-generator").daemon(true).unstarted(
                () -> generate(space, rate, work, new SplittableRandom(seed), recorder, errors));
    }

    static PoolLoad start(ViewSpace space, int workers, int rate, Work work, long seed, Recorder recorder,
                          WorkerErrors errors) {
        QuiescentThreadPool pool = QuiescentThreadPool.create(space, workers, WorkerKind.POOL.poolNamePrefix());
        PoolLoad load = new PoolLoad(pool, space, rate, work, seed, recorder, errors);
        load.generator.start();
        return load;
    }

    private void generate(ViewSpace space, int rate, Work work, SplittableRandom random, Recorder recorder,
                          WorkerErrors errors) {
        final long period = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        while (!stopping) {
            next += period;
            long wait;
            while ((wait = next - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            final long scheduled = next;
            final int input = random.nextInt();
            pool.execute(() -> {
                try {
                    Request.run(space, work::apply, input, scheduled, recorder.log());
                } catch (Throwable t) {
                    errors.report(t);
                }
            });
        }
    }

    /** Stops the generator, lets the queued requests finish, and stops the workers (they unbind). */
    void stop(Duration timeout) throws InterruptedException {
        stopping = true;
        generator.join(timeout);
        pool.shutdown();
        if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            pool.shutdownNow();
        }
    }
}
