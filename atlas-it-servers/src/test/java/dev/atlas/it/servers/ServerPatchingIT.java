package dev.atlas.it.servers;

import dev.atlas.cli.CliRun;
import dev.atlas.testsupport.TaggedLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each server is started twice: with {@code -javaagent} and without the agent (then late
 * attach by {@code atlas attach}); both go through {@link PatchSequence}.
 */
abstract class ServerPatchingIT {
    abstract ServerCase server();

    @Test
    @Timeout(240)
    void applyRollbackReapplyWithJavaagent() throws Exception {
        ServerCase s = server();
        try (ServerProcess p = ServerProcess.start(ItEnvironment.appV1(), s.mainClass(), List.of(
                "-javaagent:" + ItEnvironment.agentJar() + "=" + s.agentOptions(), "-XX:+EnableDynamicAgentLoading"))) {
            List<String> notes = new PatchSequence(s, p).run();
            report(s, "-javaagent", notes);
        }
    }

    @Test
    @Timeout(240)
    void applyRollbackReapplyAfterLateAttach() throws Exception {
        ServerCase s = server();
        try (ServerProcess p = ServerProcess.start(ItEnvironment.appV1(), s.mainClass(),
                List.of("-XX:+EnableDynamicAgentLoading"))) {
            try (TaggedLoad warm = s.load(p, 50)) {
                warm.awaitRequests(0, 20);   // the request path's classes are loaded
            }
            long t0 = System.nanoTime();
            CliRun attach = AtlasCli.target(List.of("attach"), p.pid(), "--include", s.include(), "--raw");
            double attachMs = (System.nanoTime() - t0) / 1e6;
            assertEquals(0, attach.exitCode(), () -> attach + "\nserver stderr:\n" + PatchSequence.tail(p.stderr()));
            assertEquals("late-attach", attach.reply().field("agent"), attach::toString);
            List<String> notes = new PatchSequence(s, p).run();
            notes.add(1, String.format(java.util.Locale.ROOT, "attach: %.0f ms, %s class(es) retransformed", attachMs,
                    attach.reply().field("retransformed")));
            report(s, "late attach", notes);
        }
    }

    /** Prints a passed case's notes (the load's achieved rate first, flagged when below its target). */
    static void report(ServerCase s, String how, List<String> notes) {
        System.out.println("[servers] " + s.name() + ", " + how + ": PASS");
        for (String n : notes) {
            System.out.println("[servers]   " + n);
        }
    }
}
