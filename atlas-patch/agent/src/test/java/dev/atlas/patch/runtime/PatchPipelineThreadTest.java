package dev.atlas.patch.runtime;

import dev.atlas.patch.jit.JitPriorityWindow;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline knows its own scheduler thread (the executor boundaries give it no request scope). */
class PatchPipelineThreadTest {
    @Test
    void theSchedulerThreadIsThePipelinesOwnAndNoOtherIs() throws Exception {
        try (PatchPipeline pipeline = new PatchPipeline(new CodeViews(), JitPriorityWindow.off())) {
            assertFalse(pipeline.ownsThread(Thread.currentThread()));
            Thread worker = pipeline.scheduler().submit(Thread::currentThread).get(30, TimeUnit.SECONDS);
            assertTrue(pipeline.ownsThread(worker), worker::toString);
            assertTrue(pipeline.scheduler().submit(() -> pipeline.ownsThread(Thread.currentThread()))
                    .get(30, TimeUnit.SECONDS));
            Thread other = Thread.ofPlatform().unstarted(() -> { });
            assertFalse(pipeline.ownsThread(other));
        }
    }
}
