package dev.atlas.cli.patch.it;

import dev.atlas.cli.AtlasCommand;
import dev.atlas.cli.CliRun;
import dev.atlas.patch.agent.command.CommandReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.atlas.cli.patch.it.ShopFixture.V1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An apply that waits for a straggler holds up nothing in the target JVM: while a request
 * is held in the old code (a latch in the application, released only at the end), an
 * {@code atlas patch apply} with a long timeout waits for it in its own process; meanwhile
 * {@code atlas status} and {@code jcmd <pid> VM.version} complete; the CLI is then killed
 * with SIGKILL, and {@code atlas patch rollback}, {@code atlas status} and {@code jcmd} still
 * complete while the straggler holds its request. (When the agent waited for the migration
 * on the JVM's attach-listener thread, each of them queued behind that wait until the
 * straggler's request ended: here that would be never, and the test would hit its timeout.)
 */
class WaitingApplyIT {
    private final ShopFixture fx = ShopFixture.get();

    @Test
    @Timeout(180)
    void aWaitingOrKilledApplyBlocksNeitherRollbackNorStatusNorJcmd() throws Exception {
        try (AppProcess app = AppProcess.start(fx.v1, fx.javaagent());
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String pid = Long.toString(app.pid());
            AppProcess.InFlight holding = app.request(client, "/tag?hold=1", "HOLDING");
            CompletableFuture<HttpResponse<String>> held = holding.response();
            String worker = holding.worker();

            // the apply waits (up to 10 minutes) for the held request, in its own process
            CliProcess apply = CliProcess.start(List.of("patch", "apply", "--agent-jar", fx.agentJar.toString(), pid,
                    fx.fix.toString(), "--timeout", "10m"));
            try {
                String head = apply.awaitLine("patch " + fx.fixPatch.id() + " ");
                assertTrue(head.contains(" applied: "), head);

                CommandReply during = fx.status(app);
                assertEquals(fx.fixPatch.id(), during.field("applied"), during::toString);
                assertEquals(worker, during.field("stragglers"), during::toString);
                assertTrue(apply.isAlive(), "the apply still waits for the straggler");
                assertJcmdAnswers(app.pid());
            } finally {
                apply.kill();   // SIGKILL: no shutdown hook, its command directory stays behind
            }
            assertFalse(held.isDone(), "the straggler still holds its request");

            CliRun rollback = fx.atlas(List.of("patch", "rollback"), pid, "--timeout", "1s");
            assertEquals(3, rollback.exitCode(), rollback::toString);
            assertTrue(rollback.out().contains("rolled back"), rollback::toString);
            assertTrue(rollback.out().contains("\"" + worker + "\""), rollback::toString);
            assertTrue(rollback.out().contains("at acme.shop.TagHandler.hold("), rollback::toString);
            assertTrue(rollback.out().contains("The rollback stands"), rollback::toString);

            CommandReply after = fx.status(app);
            assertEquals("", after.field("applied"), after::toString);
            assertTrue(after.field("stragglers").contains(worker), after::toString);
            assertJcmdAnswers(app.pid());
            assertFalse(held.isDone(), "everything above completed while the straggler held its request");

            HttpResponse<String> release = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/release")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, release.statusCode());
            HttpResponse<String> r = held.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals(V1, r.body(), "the held request ran wholly in the view it started in");
        }
    }

    private static void assertJcmdAnswers(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("JDK"), out);
    }

    /** {@code atlas} in a child JVM (so that it can be killed), its output read line by line. */
    private static final class CliProcess {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuffer seen = new StringBuffer();

        private CliProcess(Process process) {
            this.process = process;
            Thread.ofPlatform().daemon().name("cli-output").start(this::pump);
        }

        static CliProcess start(List<String> args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), AtlasCommand.class.getName()));
            cmd.addAll(args);
            return new CliProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        }

        private void pump() {
            try (BufferedReader r = process.inputReader()) {
                for (String line; (line = r.readLine()) != null; ) {
                    seen.append(line).append('\n');
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // killed
            }
        }

        /** The next line starting with {@code prefix}; fails if the process ends first. */
        String awaitLine(String prefix) throws InterruptedException {
            while (true) {
                String l = lines.poll(1, TimeUnit.SECONDS);
                if (l != null && l.startsWith(prefix)) {
                    return l;
                }
                if (l == null && !process.isAlive() && lines.isEmpty()) {
                    throw new AssertionError("atlas ended (exit code " + process.exitValue() + ") without a line starting "
                            + "with '" + prefix + "':\n" + seen);
                }
            }
        }

        boolean isAlive() {
            return process.isAlive();
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
