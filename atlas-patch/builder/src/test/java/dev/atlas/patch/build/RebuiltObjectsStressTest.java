package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.runtime.PatchApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads (platform and virtual) making their first call in the new view on the same objects
 * made before the apply, at once, through the agent's real entries: each object is rebuilt exactly
 * once (the fixture counts its reset() runs), and no call answers from the old state.
 */
class RebuiltObjectsStressTest extends WithOwnPipeline {
    static final int THREADS = 48;
    static final int OBJECTS = 4;
    static final int ROUNDS = 10;

    @Test
    void manyThreadsOnOneOldObjectRebuildItOnce(@TempDir Path tmp) throws Exception {
        BuildResult r = RebuiltObjectsPatchTest.build(tmp, RebuiltObjectsPatchTest.BEANS_V1, RebuiltObjectsPatchTest.BEANS_V2,
                "ro.Beans#reset()", "ro.Beans#clearDescriptors()");
        Class<?> c = RebuiltObjectsPatchTest.load(tmp, code);
        c.getField("resetYields").setInt(null, 20);
        PatchApplication a = null;
        for (int round = 0; round < ROUNDS; round++) {
            if (a != null) {
                pipeline.rollback().migration().await(Duration.ofSeconds(30));
            }
            Object[] old = new Object[OBJECTS];
            for (int i = 0; i < OBJECTS; i++) {
                old[i] = c.getConstructor().newInstance();   // made in the old view: rebuilt at the first use after the apply
            }
            a = pipeline.apply(r.patchOrThrow());
            a.migration().await(Duration.ofSeconds(30));
            long rebuiltBefore = a.objectRebuilds().getFirst().rebuiltCount();
            int resets = RebuiltObjectsPatchTest.resets(c);
            CountDownLatch start = new CountDownLatch(1);
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Object o = old[t % OBJECTS];
                Runnable body = () -> {
                    try {
                        start.await();
                        if (RebuiltObjectsPatchTest.readable(o, "class")) {
                            failures.add(new AssertionError("a call answered from the old state"));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                };
                threads.add(t % 2 == 0 ? Thread.ofPlatform().unstarted(body) : Thread.ofVirtual().unstarted(body));
            }
            threads.forEach(Thread::start);
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            int round0 = round;
            assertTrue(failures.isEmpty(), () -> "round " + round0 + ": " + failures);
            assertEquals(resets + OBJECTS, RebuiltObjectsPatchTest.resets(c), "round " + round + ": each object rebuilt once");
            assertEquals(rebuiltBefore + OBJECTS, a.objectRebuilds().getFirst().rebuiltCount());
        }
    }
}
