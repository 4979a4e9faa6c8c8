package dev.atlas.cli.demo;

import dev.atlas.core.Migration;
import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.observe.SpaceListener;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * One throwaway migration of the calling thread in a scratch space, before the demo's
 * load starts. The first migration in a JVM initialises the runtime's JFR event classes
 * (hundreds of JDK classes, 100-300 ms), and atlas-core does that lazily on the thread
 * that adopts the first ticket, that is, on a worker at its quiescence point, while other
 * workers adopting at the same moment block on the same class initialisation. Likewise
 * the first notification of a listener links its lambdas (about a millisecond) on the
 * adopting thread. Doing it here keeps these one-time costs off the workers;
 * {@code --no-prewarm} skips it.
 */
final class RuntimeWarmup {
    private RuntimeWarmup() {
    }

    /** @return how long the throwaway migration took, start to retirement */
    static Duration run() throws InterruptedException {
        long t0 = System.nanoTime();
        try (ViewSpace scratch = ViewSpace.create("warmup")) {
            scratch.addListener(new SpaceListener() {});   // links the notification paths too
            scratch.bindCurrentThread();
            View next = scratch.derive(scratch.baseView(), "warmup").publish();
            Migration m = scratch.migrate(next).allThreads().makeDefault().start();
            scratch.quiescent();   // adopt here, on this thread
            m.await(Duration.ofSeconds(10));
            scratch.baseView().retire();
            scratch.unbindCurrentThread();
        } catch (TimeoutException e) {
            throw new IllegalStateException("the warm-up migration did not complete", e);
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
