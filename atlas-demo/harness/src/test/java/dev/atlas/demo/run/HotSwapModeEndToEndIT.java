package dev.atlas.demo.run;

import dev.atlas.demo.load.TagCounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HotSwap on the real service: v2 as built is refused, the bodies-only part goes in. */
class HotSwapModeEndToEndIT {
    @TempDir
    Path tmp;

    @Test
    void wholeChangeIsRefusedAndTheBodiesOnlyPartIsApplied() throws Exception {
        StringWriter progress = new StringWriter();
        DemoArtifacts artifacts = EndToEndSupport.artifacts(tmp);
        HotSwapMode mode = new HotSwapMode();
        assertTrue(mode.unavailable(artifacts).isEmpty(), () -> mode.unavailable(artifacts).orElseThrow());
        DemoReport report = new PatchDemo(EndToEndSupport.shortRun(tmp.resolve("work")), artifacts,
                new PrintWriter(progress, true)).run(List.of(mode));

        ModeResult r = report.modes().getFirst();
        assertTrue(r.ran(), progress.toString());
        ChangeOutcome c = r.outcome();
        assertTrue(c.notes().getFirst().contains("refused by redefineClasses"), c.notes().toString());
        assertTrue(c.applied().contains("without OrderBook"), c.applied());
        assertNotNull(c.pause());
        TagCounts tags = r.tags();
        assertTrue(tags.old() > 0 && tags.fresh() > 0, tags.toString());
        assertEquals(0, r.failed());
        assertEquals(Boolean.TRUE, r.verification().bugFixed());
        assertEquals(Boolean.FALSE, r.verification().newState(), "redefineClasses cannot have added OrderBook's state");
        assertEquals("v2.v2.v2", r.verification().tag());
    }
}
