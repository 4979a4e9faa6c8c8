package dev.atlas.it.servers;

import dev.atlas.cli.CliRun;
import dev.atlas.patch.agent.command.CommandReply;
import dev.atlas.testsupport.TaggedLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code atlas patch apply} with no options on a Spring Boot JVM started without the agent, and
 * the widenings of the selection after it, under load (one server process, in order):
 * <ol>
 *   <li>a patch of {@code it.spring.Version} alone installs the agent selecting that one class
 *       (and request boundaries): one class instrumented, a few dozen retransformed (the
 *       boundary classes) instead of every application class; the requests then answer v2;</li>
 *   <li>{@code atlas attach --include} of Spring packages one class of which the JVM cannot
 *       retransform ({@code Log4J2LoggingSystem}, Log4j 2 missing) widens the selection: that
 *       class is listed with its reason in {@code atlas status}, the others are made patchable;</li>
 *   <li>a second patch, of the other changed classes of {@code it.spring}, widens the selection
 *       by exactly those (it adds no override, so no supertype is needed), and takes effect (the
 *       new state seen through the proxies);</li>
 *   <li>{@code atlas attach --include it.spring.**} widens over the patched classes without
 *       instrumenting them again: both patches stay in effect.</li>
 * </ol>
 * Pass: each step as said, 0 failed and 0 mixed requests, every request of a phase at the
 * version it should be, no instrument assertion in the JVM's output.
 */
class PatchSelectionIT {
    private static final ServerCase SPRING = SpringBootTomcatIT.SPRING;
    private static final int RATE = 50;
    private static final long PER_PHASE = 40;
    /** The classes of {@code it.spring} that v2 changes, apart from {@code Version}. */
    private static final Set<String> OTHERS = Set.of("it.spring.Item", "it.spring.JpaLedger", "it.spring.PriceService",
            "it.spring.Quotes", "it.spring.TagController");

    @Test
    @Timeout(600)
    void defaultApplySelectsWhatThePatchNeedsAndLaterPatchesAndAttachesWidenIt() throws Exception {
        Path version = AtlasCli.patch("it.spring.Version", "--include", "it.spring.Version");
        // the classes left out are read from the running build (the changed ones call Version.tag())
        Path others = AtlasCli.patch("it.spring-others", "--include", "it.spring.**", "--exclude", "it.spring.Version",
                "-cp", ItEnvironment.appV1().toString());
        try (ServerProcess p = ServerProcess.start(ItEnvironment.appV1(), SPRING.mainClass(),
                List.of("-XX:+EnableDynamicAgentLoading"));
             TaggedLoad load = SPRING.load(p, RATE)) {
            load.awaitRequests(0, PER_PHASE);

            // 1. no agent, no options: the agent installs selecting the patch's one class
            load.phase(1);
            CommandReply first = ok(p, List.of("patch", "apply"), version.toString(), "--timeout", "30s", "--raw");
            load.phase(2);
            assertEquals("late-attach", first.field("agent"), first::toString);
            assertEquals("include [it.spring.Version], exclude []", first.field("selection"), first::toString);
            assertEquals("1", first.field("instrumented"), first::toString);
            int boundaryClasses = Integer.parseInt(first.field("retransformed")) - 1;
            assertTrue(boundaryClasses > 0 && boundaryClasses < 200, first::toString);   // Tomcat's filters and servlets
            assertTrue(first.text().contains("installed it now by late attach with the selection the patch needs (1 "
                    + "class(es) the patch changes and 0 supertype(s) whose methods it overrides, not selected before: "
                    + "it.spring.Version), plus request boundaries"), first::toString);
            load.awaitRequests(2, PER_PHASE);

            // 2. widened by Spring packages with a class the JVM cannot retransform
            CommandReply spring = ok(p, List.of("attach"), "--include", "org.springframework.boot.logging.log4j2.**",
                    "--include", "org.springframework.cache.interceptor.*", "--raw");
            assertEquals("true", spring.field("already-installed"), spring::toString);
            assertTrue(Integer.parseInt(spring.field("widened-failed")) >= 1, spring::toString);
            assertTrue(Integer.parseInt(spring.field("widened-retransformed")) > 0, spring::toString);
            CliRun status = AtlasCli.target(List.of("status"), p.pid());
            assertEquals(0, status.exitCode(), status::toString);
            assertTrue(status.out().contains("org.springframework.boot.logging.log4j2.Log4J2LoggingSystem: not "
                    + "retransformed: java.lang.InternalError: class redefinition failed: invalid class"), status::toString);
            assertTrue(status.out().contains("include [org.springframework.boot.logging.log4j2.**, "
                    + "org.springframework.cache.interceptor.*]"), status::toString);

            // 3. a patch of other classes widens the selection by those (and their supertypes)
            load.phase(3);
            CommandReply second = ok(p, List.of("patch", "apply"), others.toString(), "--timeout", "30s", "--raw");
            load.phase(4);
            Set<String> added = new TreeSet<>(List.of(second.field("widened-by")
                    .replaceAll("^include \\[|\\], exclude \\[\\]$", "").split(", ")));
            assertTrue(added.containsAll(OTHERS), second::toString);
            assertFalse(added.contains("it.spring.Version") || added.contains("it.spring.SpringApp"), second::toString);
            assertEquals(OTHERS, added, second::toString);   // no override added: no supertype needed
            assertTrue(Integer.parseInt(second.field("widened-retransformed")) >= OTHERS.size(), second::toString);
            load.awaitRequests(4, PER_PHASE);

            // 4. widening over classes already patchable (and patched) instruments none of them again
            CommandReply all = ok(p, List.of("attach"), "--include", "it.spring.**", "--raw");
            int more = Integer.parseInt(all.field("widened-retransformed"));
            assertTrue(more > 0, all::toString);   // SpringApp, at least
            load.phase(5);
            load.awaitRequests(5, PER_PHASE);
            load.close();

            assertEquals(List.of(), load.failures(), () -> load + "\nserver stderr:\n" + PatchSequence.tail(p.stderr()));
            assertEquals(0, load.mixed(), load::toString);
            assertEquals(Map.of("v1", load.count(0)), load.outcomes(0), load::toString);
            for (int phase : new int[] {2, 4, 5}) {
                assertEquals(Map.of("v2", load.count(phase)), load.outcomes(phase), load::toString);
            }
            for (int phase : new int[] {4, 5}) {
                for (String body : load.bodies(phase)) {
                    assertTrue(body.matches("v2-v2-v2" + SPRING.v2Suffix() + ".*"), () -> "v2 response '" + body
                            + "' lacks the second patch's state");
                }
            }
            assertFalse(p.stderr().contains("ASSERTION FAILED"), () -> "the JDK's instrument agent complained:\n"
                    + PatchSequence.tail(p.stderr()));
        }
    }

    private static CommandReply ok(ServerProcess p, List<String> command, String... args) {
        CliRun r = AtlasCli.target(command, p.pid(), args);
        assertEquals(0, r.exitCode(), () -> command + " failed: " + r + "\nserver stderr:\n" + PatchSequence.tail(p.stderr()));
        System.out.println("[selection] atlas " + String.join(" ", command) + ": " + r.reply().fields() + "\n" + r.reply().text());
        return r.reply();
    }
}
