package dev.atlas.patch;

import dev.atlas.patch.jit.JitPriorityWindow;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.PatchPipeline;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the tests that build a patch and apply it in this JVM: each test instance has its
 * own code views and pipeline (JIT window off: a unit test leaves the JVM's JIT alone), closed
 * after the test, so no test sees another's patches.
 */
public abstract class WithOwnPipeline {
    /** This test's own pipeline. */
    protected final PatchPipeline pipeline = new PatchPipeline(new CodeViews(), JitPriorityWindow.off());
    /** The pipeline's code views. */
    protected final CodeViews code = pipeline.views();

    @AfterEach
    void closePipeline() {
        pipeline.close();
    }
}
