package dev.atlas.cli.patch.it;

import dev.atlas.cli.CliRun;
import dev.atlas.patch.agent.command.CommandReply;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.format.PatchIds;
import dev.atlas.testsupport.TaggedLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.atlas.cli.patch.it.ShopFixture.TAG_V1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Patches the agent refuses after reading them: the reply says exactly what happened. A
 * refusal is a refusal (exit 1, status {@code refused}, the reason named), never an agent
 * that "could not run" the command; and when the same command installed the agent by late
 * attach, the reply does not claim that nothing changed.
 */
class RefusedApplyIT {
    private final ShopFixture fx = ShopFixture.get();

    @Test
    @Timeout(120)
    void aRefusalAfterALateAttachSaysTheAgentWasInstalled() throws Exception {
        try (AppProcess app = AppProcess.start(fx.v1, "-XX:+EnableDynamicAgentLoading");
             TaggedLoad load = new TaggedLoad(app.port(), 2, List.of("/tag"))) {
            load.awaitRequests(0, 20);
            String pid = Long.toString(app.pid());
            assertEquals("not-installed", fx.status(app).field("agent"));
            CliRun r = fx.atlas(List.of("patch", "apply"), pid, fx.otherVersions.toString(), "--timeout", "5s");
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.err().contains("was built for another version of class acme.shop."), r::toString);
            assertFalse(r.err().contains("Nothing was changed"), r::toString);
            assertTrue(r.err().contains("The patch changed nothing. But the Atlas agent was not installed before this "
                    + "command: it was installed by late attach"), r::toString);
            assertTrue(r.err().contains("loaded class(es) were retransformed"), r::toString);

            CommandReply after = fx.status(app);
            assertEquals("late-attach", after.field("agent"), after::toString);
            assertEquals("", after.field("applied"), after::toString);
            load.phase(1);
            load.awaitRequests(1, 20);
            load.close();
            assertEquals(List.of(), load.failures());
            assertEquals(Map.of(TAG_V1, load.count(1)), load.outcomes(1), load::toString);
        }
    }

    /**
     * A manifest whose {@code static} flag contradicts the class, and an added method whose
     * descriptor names a class the application does not have: both well-formed files with
     * valid ids, both refused by the agent with the reason.
     */
    @Test
    @Timeout(120)
    void manifestsThatDoNotMatchTheClassesAreRefusedWithTheReason() throws Exception {
        Path staticLie = write("static-lie.atlaspatch", flipFirstStaticFlag(fx.fixPatch));
        Path missingType = write("missing-type.atlaspatch", withAddedMethod(fx.fixPatch,
                MethodChange.of(MethodChange.Kind.ADDED, "ghost", "(Lacme/shop/Nowhere;)V", true)));
        try (AppProcess app = AppProcess.start(fx.v1, fx.javaagent())) {
            String pid = Long.toString(app.pid());
            CommandReply before = fx.settledStatus(app);
            CliRun lie = fx.atlas(List.of("patch", "apply"), pid, staticLie.toString(), "--timeout", "5s", "--raw");
            assertEquals(1, lie.exitCode(), lie::toString);
            CommandReply lieReply = ShopFixture.reply(lie);
            assertEquals(CommandReply.Status.REFUSED, lieReply.status(), lie::toString);
            assertTrue(lieReply.text().contains("the manifest does not match the class"), lie::toString);

            CliRun missing = fx.atlas(List.of("patch", "apply"), pid, missingType.toString(), "--timeout", "5s", "--raw");
            assertEquals(1, missing.exitCode(), missing::toString);
            CommandReply missingReply = ShopFixture.reply(missing);
            assertEquals(CommandReply.Status.REFUSED, missingReply.status(), missing::toString);
            assertTrue(missingReply.text().contains("acme.shop.Nowhere"), missing::toString);
            assertTrue(missingReply.text().contains("Nothing was changed"), missing::toString);

            CommandReply after = fx.status(app);
            for (String f : List.of("default-view", "views", "applied", "running-migrations")) {
                assertEquals(before.field(f), after.field(f), () -> f + ": " + before + "\n" + after);
            }
        }
    }

    private Path write(String name, Patch p) throws Exception {
        Path file = fx.dir.resolve(name);
        PatchFile.write(p, file);
        return file;
    }

    /** The patch with its first method's static flag inverted, re-identified (a valid file). */
    private static Patch flipFirstStaticFlag(Patch p) {
        List<ClassPatch> classes = new ArrayList<>(p.classes());
        for (int i = 0; i < classes.size(); i++) {
            ClassPatch c = classes.get(i);
            if (!c.methods().isEmpty()) {
                List<MethodChange> ms = new ArrayList<>(c.methods());
                MethodChange m = ms.getFirst();
                ms.set(0, new MethodChange(m.kind(), m.name(), m.descriptor(), !m.isStatic(), m.bodyMethodName()));
                classes.set(i, new ClassPatch(c.className(), c.expectedFingerprint(), c.newFingerprint(), ms,
                        c.addedFields(), c.bodyClass(), c.transferHook()));
                return PatchIds.assign(new Patch(p.formatVersion(), p.id(), p.description(), classes, p.addedClasses()));
            }
        }
        throw new IllegalStateException("no method in " + p);
    }

    /** The patch with one more added method in its first class with a body (a valid file). */
    private static Patch withAddedMethod(Patch p, MethodChange added) {
        List<ClassPatch> classes = new ArrayList<>(p.classes());
        for (int i = 0; i < classes.size(); i++) {
            ClassPatch c = classes.get(i);
            if (c.bodyClass() != null) {
                List<MethodChange> ms = new ArrayList<>(c.methods());
                ms.add(added);
                classes.set(i, new ClassPatch(c.className(), c.expectedFingerprint(), c.newFingerprint(), ms,
                        c.addedFields(), c.bodyClass(), c.transferHook()));
                return PatchIds.assign(new Patch(p.formatVersion(), p.id(), p.description(), classes, p.addedClasses()));
            }
        }
        throw new IllegalStateException("no body class in " + p);
    }
}
