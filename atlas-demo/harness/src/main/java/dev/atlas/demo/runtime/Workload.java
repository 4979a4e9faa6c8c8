package dev.atlas.demo.runtime;

import dev.atlas.core.ViewSpace;
import dev.atlas.core.quiescence.QuiescentThreadPool;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Every thread of the demo's load, started and stopped together. */
final class Workload {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final PoolLoad pool;
    private final QuiescentThreadPool idlePool;
    private final VirtualLoad virtualThreads;
    private final LongRequestWorker longRequest;
    private final int threadCount;

    private Workload(PoolLoad pool, QuiescentThreadPool idlePool, VirtualLoad virtualThreads,
                     LongRequestWorker longRequest, int threadCount) {
        this.pool = pool;
        this.idlePool = idlePool;
        this.virtualThreads = virtualThreads;
        this.longRequest = longRequest;
        this.threadCount = threadCount;
    }

    static Workload start(ViewSpace space, DemoConfig c, Work work, Recorder recorder, WorkerErrors errors) {
        QuiescentThreadPool idle = c.idleWorkers() > 0
                ? QuiescentThreadPool.create(space, c.idleWorkers(), WorkerKind.IDLE.poolNamePrefix()) : null;
        PoolLoad pool = PoolLoad.start(space, c.workers(), c.rate(), work, c.seed(), recorder, errors);
        VirtualLoad virt = VirtualLoad.start(space, c.virtualThreads(), c.think(), work, c.seed() + 1, recorder, errors);
        LongRequestWorker longReq = LongRequestWorker.start(space, c.longRequest(), c.seed() + 2, recorder, errors);
        return new Workload(pool, idle, virt, longReq, c.threads());
    }

    /** How many threads the load binds to the space. */
    int threadCount() {
        return threadCount;
    }

    LongRequestWorker longRequest() {
        return longRequest;
    }

    void stop() throws InterruptedException {
        pool.stop(STOP_TIMEOUT);
        virtualThreads.stop(STOP_TIMEOUT);
        longRequest.stop(STOP_TIMEOUT);
        if (idlePool != null) {
            idlePool.shutdown();
            idlePool.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
