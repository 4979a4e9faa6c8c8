package dev.atlas.patch.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchIds;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The changes a patch reports but does not apply (modifier changes the loaded classes keep)
 * travel with its application: the apply's result, the list of applied patches that
 * {@code atlas status} shows, and the rollback's result name them.
 */
class UnappliedChangesTest {
    static final Duration LONG = Duration.ofSeconds(30);

    @Test
    void theApplicationAndItsRollbackNameTheUnappliedChanges() throws Exception {
        List<String> changes = List.of("p/Util: class modifiers changed (+final, -abstract); reported, not applied: the loaded "
                + "class keeps its modifiers, which only reflection on the class shows");
        Patch patch = PatchIds.assign(new Patch(Patch.FORMAT_VERSION, PatchIds.PLACEHOLDER_ID, "modifiers only", List.of(),
                List.of(), List.of(), changes));
        try (PatchPipeline pipeline = new PatchPipeline(new CodeViews(), dev.atlas.patch.jit.JitPriorityWindow.off())) {
            check(pipeline, patch, changes);
        }
    }

    private static void check(PatchPipeline pipeline, Patch patch, List<String> changes) throws Exception {
        PatchApplication a = pipeline.apply(patch);
        a.migration().await(LONG);
        assertEquals(changes, a.unappliedChanges());
        assertEquals(changes, pipeline.views().applied().getFirst().unappliedChanges());
        PatchApplication back = pipeline.rollback();
        back.migration().await(LONG);
        assertEquals(changes, back.unappliedChanges());
        assertEquals(List.of(), pipeline.views().applied());
    }
}
