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

/** The Atlas mode on the real service: the whole v2 change (new state included) goes in, no request mixes versions. */
class AtlasModeEndToEndIT {
    @TempDir
    Path tmp;

    @Test
    void wholeChangeGoesInAndNoRequestMixesVersions() throws Exception {
        StringWriter progress = new StringWriter();
        DemoArtifacts artifacts = EndToEndSupport.artifacts(tmp);
        AtlasMode mode = new AtlasMode();
        assertTrue(mode.unavailable(artifacts).isEmpty(), () -> mode.unavailable(artifacts).orElseThrow());
        DemoReport report = new PatchDemo(EndToEndSupport.shortRun(tmp.resolve("work")), artifacts,
                new PrintWriter(progress, true)).run(List.of(mode));

        ModeResult r = report.modes().getFirst();
        assertTrue(r.ran(), () -> r.unavailable() + "\n" + progress);
        assertEquals("v2, whole change (new field, method, lambda)", r.outcome().applied(), r.outcome().notes().toString());
        assertNotNull(r.outcome().inEffect());
        assertNotNull(r.outcome().allMigrated());
        TagCounts tags = r.tags();
        assertTrue(tags.old() > 0 && tags.fresh() > 0, tags.toString());
        assertEquals(0, tags.mixed(), "a request ran old and new code: " + tags);
        assertEquals(0, r.failed());
        assertEquals(Boolean.TRUE, r.verification().bugFixed());
        assertEquals(Boolean.TRUE, r.verification().newState(), "OrderBook's new state is not in effect");
        assertEquals("v2.v2.v2", r.verification().tag());
    }
}
