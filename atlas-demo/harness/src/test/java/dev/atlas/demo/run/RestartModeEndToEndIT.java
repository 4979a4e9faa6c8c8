package dev.atlas.demo.run;

import dev.atlas.demo.load.TagCounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A few seconds of the real thing: service processes, the generator process, a restart on v2. */
class RestartModeEndToEndIT {
    @TempDir
    Path tmp;

    @Test
    void restartServesV1ThenV2AndReportsTheGap() throws Exception {
        StringWriter progress = new StringWriter();
        PatchDemo demo = new PatchDemo(EndToEndSupport.shortRun(tmp.resolve("work")), EndToEndSupport.artifacts(tmp),
                new PrintWriter(progress, true));
        assertEquals(List.of(), demo.environmentProblems());

        DemoReport report = demo.run(List.of(new RestartMode()));

        ModeResult restart = report.modes().getFirst();
        assertTrue(restart.ran(), progress.toString());
        assertNotNull(restart.outcome().inEffect());
        assertNotNull(restart.outcome().pause());
        TagCounts tags = restart.tags();
        assertTrue(tags.old() > 0, "no v1 answers: " + tags);
        assertTrue(tags.fresh() > 0, "no v2 answers: " + tags);
        assertEquals(0, tags.mixed(), "a restart cannot mix versions within a request: " + tags);
        assertEquals(0, tags.unknown());
        assertEquals(0, restart.steady().tags().fresh(), "v2 answered before the change");
        assertTrue(restart.afterChange().ok() > 0, "no answer after the change (the load's after-change phase is "
                + "open-ended: it runs until it has its answers): " + progress);
        assertEquals(0, restart.afterChange().tags().old(), "v1 answered after the change was in effect");
        assertTrue(restart.steady().ok() > 0);
        assertEquals(Boolean.TRUE, restart.verification().bugFixed());
        assertEquals(Boolean.TRUE, restart.verification().newState());
        assertEquals("v2.v2.v2", restart.verification().tag());

        assertTrue(Files.size(report.png()) > 0);
        assertTrue(Files.exists(tmp.resolve("work/restart-load.csv")));
        String table = report.table();
        assertTrue(table.contains("restart") && table.contains("v2, whole change (new process)"), table);
    }

    @Test
    void missingBuildsAreReportedBeforeAnythingRuns() {
        Path nowhere = tmp.resolve("nowhere");
        PatchDemo demo = new PatchDemo(EndToEndSupport.shortRun(tmp.resolve("work")),
                new DemoArtifacts(nowhere.resolve("v1.jar"), nowhere.resolve("v2.jar"), nowhere.resolve("v2h.jar"),
                        nowhere.resolve("agent.jar"), nowhere.resolve("atlas-agent.jar"), nowhere.resolve("trigger.jar")),
                new PrintWriter(new StringWriter()));
        List<String> problems = demo.environmentProblems();
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("v1.jar") && problems.get(0).contains("./atlas build"), problems.get(0));
        DemoArtifacts none = new DemoArtifacts(nowhere, nowhere, nowhere, nowhere.resolve("agent.jar"),
                nowhere.resolve("atlas-agent.jar"), nowhere.resolve("trigger.jar"));
        assertTrue(new HotSwapMode().unavailable(none).orElseThrow().contains("agent.jar"));
        assertTrue(new AtlasMode().unavailable(none).orElseThrow().contains("atlas-agent.jar"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> demo.run(List.of(new RestartMode())));
    }
}
