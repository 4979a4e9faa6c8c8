package dev.atlas.demo.runtime;

import dev.atlas.core.ViewSpace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Virtual threads, each looping: quiescence point, request, think time. A migration finds
 * them mostly thinking (outside any scope, but not declared idle), so each one moves at
 * its next quiescence point, within about one think time.
 */
final class VirtualLoad {
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    private VirtualLoad() {
    }

    static VirtualLoad start(ViewSpace space, int count, Duration think, Work work, long seed, Recorder recorder,
                             WorkerErrors errors) {
        VirtualLoad load = new VirtualLoad();
        var builder = Thread.ofVirtual().name(WorkerKind.VIRTUAL.namePrefix(), 0);
        for (int i = 0; i < count; i++) {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
            load.threads.add(builder.start(() -> load.loop(space, think, work, random, recorder, errors)));
        }
        return load;
    }

    private void loop(ViewSpace space, Duration think, Work work, SplittableRandom random, Recorder recorder,
                      WorkerErrors errors) {
        space.bindCurrentThread();
        try {
            RequestLog log = recorder.log();
            long thinkNanos = think.toNanos();
            // start spread over one think time, so the threads do not run in lock-step
            Thread.sleep(Duration.ofNanos(random.nextLong(thinkNanos + 1)));
            while (!stopping) {
                space.quiescent();
                Request.run(space, work::apply, random.nextInt(), System.nanoTime(), log);
                Thread.sleep(Duration.ofNanos(thinkNanos / 2 + random.nextLong(thinkNanos + 1)));
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (Throwable t) {
            errors.report(t);
        } finally {
            space.unbindCurrentThread();
        }
    }

    void stop(Duration timeout) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            if (!t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                t.interrupt();
            }
        }
    }
}
