package dev.atlas.patch.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The warm-up really runs the patch path (it checks its own dispatch results) and touches no other thread. */
class PatchPathWarmupTest {
    @Test
    void theWarmUpAppliesAndRollsBackAPatchAndLeavesNothingApplied() throws Throwable {
        CodeViews code = CodeViews.get();
        int before = code.applied().size();
        var defaultBefore = code.space().defaultView();
        PatchPathWarmup.run();
        assertEquals(before, code.applied().size());
        assertSame(defaultBefore, code.space().defaultView(), "rolled back to the view it started from");
        assertFalse(code.registry().loaded("dev/atlas/patch/warmup/Target").isEmpty(), "the synthetic class was instrumented");
    }

    /** CodeViews.apply calls this first: a patch never migrates the warm-up's threads while it moves them. */
    @Test
    void aPatchWaitsForAWarmUpStillRunning() {
        Thread t = PatchPathWarmup.start();
        PatchPathWarmup.awaitFinished(java.time.Duration.ofSeconds(60));
        assertFalse(t.isAlive(), "the warm-up finished before the wait returned");
        PatchPathWarmup.awaitFinished(java.time.Duration.ofSeconds(60));   // none running: returns at once
    }
}
