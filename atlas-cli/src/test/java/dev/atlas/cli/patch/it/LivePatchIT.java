package dev.atlas.cli.patch.it;

import dev.atlas.cli.CliRun;
import dev.atlas.patch.agent.command.CommandReply;
import dev.atlas.testsupport.TaggedLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.atlas.cli.patch.it.ShopFixture.TAG_V1;
import static dev.atlas.cli.patch.it.ShopFixture.TAG_V2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proof: an application under multi-threaded load, in its own JVM, is patched
 * while it runs (agent loaded with -javaagent, or attached late), then rolled back, through
 * the {@code atlas} command line. Every request sees all-old or all-new code, none fails,
 * and every request sent after the command returned sees the version it installed.
 */
class LivePatchIT {
    private final ShopFixture fx = ShopFixture.get();

    @Test
    @Timeout(120)
    void patchAndRollBackUnderLoadWithJavaagent() throws Exception {
        try (AppProcess app = AppProcess.start(fx.v1, fx.javaagent())) {
            CommandReply st = fx.status(app);
            assertEquals("start-up", st.field("agent"), st::toString);
            patchAndRollBackUnderLoad(app);
        }
    }

    @Test
    @Timeout(120)
    void patchAndRollBackUnderLoadAfterLateAttach() throws Exception {
        try (AppProcess app = AppProcess.start(fx.v1, "-XX:+EnableDynamicAgentLoading");
             TaggedLoad warmup = new TaggedLoad(app.port(), 2, List.of("/tag"))) {
            warmup.awaitRequests(0, 20);   // every application class is loaded and running
            assertEquals("not-installed", fx.status(app).field("agent"));
            CliRun attach = fx.atlas(List.of("attach"), Long.toString(app.pid()), "--include", "acme.shop.**", "--raw");
            assertEquals(0, attach.exitCode(), attach::toString);
            CommandReply r = ShopFixture.reply(attach);
            assertEquals("late-attach", r.field("agent"), r::toString);
            assertTrue(Integer.parseInt(r.field("retransformed")) >= 5, r::toString);   // Server, TagHandler, 3 patched
            warmup.close();
            assertEquals(List.of(), warmup.failures());
            patchAndRollBackUnderLoad(app);
        }
    }

    @Test
    @Timeout(120)
    void malformedPatchesAndPatchesForOtherVersionsAreRefusedAndChangeNothing() throws Exception {
        Path garbage = fx.dir.resolve("garbage.atlaspatch");
        Files.writeString(garbage, "this is not a patch");
        Path truncated = fx.dir.resolve("truncated.atlaspatch");
        byte[] full = Files.readAllBytes(fx.fix);
        Files.write(truncated, Arrays.copyOf(full, full.length / 2));
        try (AppProcess app = AppProcess.start(fx.v1, fx.javaagent()); TaggedLoad load = new TaggedLoad(app.port(), 3, List.of("/tag"))) {
            String pid = Long.toString(app.pid());
            load.awaitRequests(0, 20);
            CommandReply before = fx.settledStatus(app);
            for (Path bad : List.of(garbage, truncated)) {
                CliRun r = fx.atlas(List.of("patch", "apply"), pid, bad.toString(), "--timeout", "5s");
                assertEquals(1, r.exitCode(), r::toString);
                assertTrue(r.err().contains("malformed patch " + bad), r::toString);
                assertTrue(r.err().contains("nothing changed"), r::toString);
            }
            CliRun other = fx.atlas(List.of("patch", "apply"), pid, fx.otherVersions.toString(), "--timeout", "5s");
            assertEquals(1, other.exitCode(), other::toString);
            assertTrue(other.err().contains("was built for another version of class acme.shop."), other::toString);
            assertTrue(other.err().contains("Nothing was changed"), other::toString);
            CliRun noPatch = fx.atlas(List.of("patch", "rollback"), pid);
            assertEquals(1, noPatch.exitCode(), noPatch::toString);
            assertTrue(noPatch.err().contains("nothing to roll back"), noPatch::toString);

            CommandReply after = fx.status(app);
            for (String f : List.of("default-view", "views", "applied", "running-migrations")) {
                assertEquals(before.field(f), after.field(f), () -> f + ": " + before + "\n" + after);
            }
            assertEquals("", after.field("applied"));
            load.phase(1);
            load.awaitRequests(1, 20);
            load.close();
            assertEquals(List.of(), load.failures());
            assertEquals(Map.of(TAG_V1, load.count(0)), load.outcomes(0), load::toString);
            assertEquals(Map.of(TAG_V1, load.count(1)), load.outcomes(1), load::toString);
        }
    }

    /**
     * Phases of the load: 0 before, 1 while applying, 2 after apply returned, 3 while rolling
     * back, 4 after the rollback returned.
     */
    private void patchAndRollBackUnderLoad(AppProcess app) throws Exception {
        String pid = Long.toString(app.pid());
        TaggedLoad load = new TaggedLoad(app.port(), 4, List.of("/tag"));
        try (load) {
            load.awaitRequests(0, 40);
            CommandReply before = fx.settledStatus(app);
            assertEquals("", before.field("applied"), before::toString);

            load.phase(1);
            CliRun apply = fx.atlas(List.of("patch", "apply"), pid, fx.fix.toString(), "--timeout", "20s", "--raw");
            assertEquals(0, apply.exitCode(), apply::toString);
            CommandReply applied = ShopFixture.reply(apply);
            assertEquals(CommandReply.Status.OK, applied.status(), applied::toString);
            assertEquals(fx.fixPatch.id(), applied.field("patch"));
            assertEquals("0", applied.field("threads-outside-view"), applied::toString);
            assertTrue(Integer.parseInt(applied.field("threads")) >= 1, applied::toString);
            assertTrue(Double.parseDouble(applied.field("prepare-ms")) > 0, applied::toString);
            assertTrue(applied.field("prepare-cpu-ms") == null || Double.parseDouble(applied.field("prepare-cpu-ms")) > 0,
                    applied::toString);
            load.phase(2);
            load.awaitRequests(2, 40);

            CommandReply patched = fx.status(app);
            assertEquals(applied.field("view"), patched.field("default-view"), patched::toString);
            assertEquals(fx.fixPatch.id(), patched.field("applied"), patched::toString);
            assertEquals("0", patched.field("threads-outside-default"), patched::toString);

            load.phase(3);
            CliRun rollback = fx.atlas(List.of("patch", "rollback"), pid, "--timeout", "20s", "--raw");
            assertEquals(0, rollback.exitCode(), rollback::toString);
            CommandReply back = ShopFixture.reply(rollback);
            assertEquals(applied.field("previous-view"), back.field("view"), back::toString);
            assertEquals("0", back.field("threads-outside-view"), back::toString);
            load.phase(4);
            load.awaitRequests(4, 40);

            CommandReply after = fx.status(app);
            assertEquals(before.field("default-view"), after.field("default-view"), after::toString);
            assertEquals("", after.field("applied"), after::toString);
            assertEquals("0", after.field("threads-outside-default"), after::toString);
        }
        assertEquals(List.of(), load.failures(), load::toString);
        for (int p = TaggedLoad.STRADDLING; p <= 4; p++) {
            assertTrue(Set.of(TAG_V1, TAG_V2).containsAll(load.outcomes(p).keySet()), "a request saw two versions: " + load);
        }
        assertEquals(Map.of(TAG_V1, load.count(0)), load.outcomes(0), load::toString);
        assertEquals(Map.of(TAG_V2, load.count(2)), load.outcomes(2), load::toString);
        assertEquals(Map.of(TAG_V1, load.count(4)), load.outcomes(4), load::toString);
        System.out.println("[live patch] pid " + pid + ": " + load);
    }
}
