package dev.atlas.it.servers;

import dev.atlas.cli.CliRun;
import dev.atlas.testsupport.TaggedLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Late attach on a Spring Boot JVM whose include selects Spring classes the JVM cannot
 * retransform: {@code Log4J2LoggingSystem} references an optional dependency that is not on
 * the class path (Log4j 2), and HotSpot's redefinition of it fails with {@code InternalError:
 * class redefinition failed: invalid class}, which fails the whole batch; the agent retries
 * the batch by halves, so that class alone is skipped and listed with its reason in {@code atlas status}
 * (the Spring classes selected with it, {@code org.springframework.cache.interceptor.*}, are made patchable);
 * the JVM is not poisoned: the JDK prints no instrument assertion, and apply, rollback and
 * re-apply of the application's patch then pass under load with 0 failed and 0 mixed requests.
 */
class LateAttachSkippedClassesIT {
    private static final ServerCase SPRING = SpringBootTomcatIT.SPRING;

    @Test
    @Timeout(300)
    void classesThatFailToRetransformAreSkippedAndListedAndPatchingStillWorks() throws Exception {
        try (ServerProcess p = ServerProcess.start(ItEnvironment.appV1(), SPRING.mainClass(),
                List.of("-XX:+EnableDynamicAgentLoading"))) {
            try (TaggedLoad warm = SPRING.load(p, 50)) {
                warm.awaitRequests(0, 20);
            }
            CliRun attach = AtlasCli.target(List.of("attach"), p.pid(), "--include", SPRING.include(),
                    "--include", "org.springframework.boot.logging.log4j2.**",
                    "--include", "org.springframework.cache.interceptor.*");
            assertEquals(0, attach.exitCode(), () -> attach + "\nserver stderr:\n" + PatchSequence.tail(p.stderr()));
            CliRun status = AtlasCli.target(List.of("status"), p.pid());
            assertEquals(0, status.exitCode(), status::toString);
            for (String c : List.of("org.springframework.boot.logging.log4j2.Log4J2LoggingSystem")) {
                assertTrue(status.out().contains(c + ": not retransformed: java.lang.InternalError: class redefinition "
                        + "failed: invalid class"), () -> c + " is not listed with its reason:\n" + status);
            }
            List<String> notes = new PatchSequence(SPRING, p).run();
            ServerPatchingIT.report(SPRING, "late attach with classes skipped", notes);
            assertFalse(p.stderr().contains("ASSERTION FAILED"), () -> "the JDK's instrument agent complained:\n"
                    + PatchSequence.tail(p.stderr()));
        }
    }
}
