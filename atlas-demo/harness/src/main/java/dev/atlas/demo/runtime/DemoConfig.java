package dev.atlas.demo.runtime;

import java.time.Duration;

/**
 * What the demo runs. The load runs for {@code duration}: a warm-up (30%), a steady
 * window (35%), then the migration starts and a window of the same length follows.
 *
 * @param duration       total time under load (the migration window is extended if the migration is slower)
 * @param workers        platform workers of the busy pool
 * @param idleWorkers    platform workers of a pool that gets no task
 * @param virtualThreads virtual threads looping requests
 * @param rate           requests per second fed to the busy pool
 * @param work           CPU time of one short request
 * @param think          mean pause of a virtual thread between two requests
 * @param longRequest    duration of each request of the long-request thread
 * @param timeout        how long the migration may take before the demo fails
 * @param seed           seed of the request inputs
 */
record DemoConfig(Duration duration, int workers, int idleWorkers, int virtualThreads, int rate, Duration work,
                  Duration think, Duration longRequest, Duration timeout, long seed) {

    Duration warmup() {
        return duration.multipliedBy(30).dividedBy(100);
    }

    Duration window() {
        return duration.multipliedBy(35).dividedBy(100);
    }

    /** Threads bound to the space by the load. */
    int threads() {
        return workers + idleWorkers + virtualThreads + 1;
    }
}
