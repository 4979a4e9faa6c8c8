package dev.atlas.patch.warmup;

import dev.atlas.patch.jit.JitPriorityWindow;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.PatchPipeline;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.runtime.PatchApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.*;

/** The warm-up really runs the patch path (it checks its own dispatch results) and touches no other thread. */
class PatchPathWarmupTest {
    private static final PatchPipeline PIPELINE = new PatchPipeline(new CodeViews(), JitPriorityWindow.off());

    @AfterAll
    static void closePipeline() {
        PIPELINE.close();
    }

    @Test
    void theWarmUpAppliesAndRollsBackAPatchAndLeavesNothingApplied() throws Throwable {
        CodeViews code = PIPELINE.views();
        int before = code.applied().size();
        var defaultBefore = code.space().defaultView();
        PatchPathWarmup.run(PIPELINE);
        assertEquals(before, code.applied().size());
        assertSame(defaultBefore, code.space().defaultView(), "rolled back to the view it started from");
        assertFalse(code.registry().loaded("dev/atlas/patch/warmup/Target").isEmpty(), "the synthetic class was instrumented");
    }

    /**
     * An apply that comes while the warm-up runs waits for it (its migration would otherwise
     * move the warm-up's own threads while the warm-up moves them between its views).
     */
    @Test
    void anApplyWaitsForAWarmUpStillRunning() throws Exception {
        try (PatchPipeline pipeline = new PatchPipeline(new CodeViews(), JitPriorityWindow.off())) {
            assertEquals("none", pipeline.warmupState());
            CountDownLatch release = new CountDownLatch(1);
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            Thread warmup = pipeline.startWarmup(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                order.add("warm-up done");
            });
            List<PatchApplication> applied = Collections.synchronizedList(new ArrayList<>());
            Thread applier = Thread.ofPlatform().start(() -> {
                applied.add(pipeline.apply(new Patch(Patch.FORMAT_VERSION, "00000000000000e1", "empty", List.of(), List.of())));
                order.add("apply returned");
            });
            while (applier.getState() != Thread.State.TIMED_WAITING && applier.isAlive()) {
                Thread.onSpinWait();   // until the applier waits for the warm-up (its only wait)
            }
            assertTrue(warmup.isAlive());
            assertEquals("running", pipeline.warmupState());
            release.countDown();
            applier.join();
            assertEquals(List.of("warm-up done", "apply returned"), order);
            warmup.join();
            assertTrue(pipeline.warmupState().matches("\\d+\\.\\d"), pipeline.warmupState());
            applied.getFirst().migration().await(Duration.ofSeconds(30));
            pipeline.rollback().migration().await(Duration.ofSeconds(30));
        }
    }
}
