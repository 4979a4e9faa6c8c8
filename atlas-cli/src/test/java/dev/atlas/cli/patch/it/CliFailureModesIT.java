package dev.atlas.cli.patch.it;

import java.net.http.HttpRequest;
import java.net.URI;
import dev.atlas.testsupport.Await;
import dev.atlas.cli.CliRun;
import dev.atlas.patch.agent.command.CommandReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.atlas.cli.patch.it.ShopFixture.V1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code atlas} says when the target is wrong, unreachable, or a thread keeps a migration waiting. */
class CliFailureModesIT {
    private final ShopFixture fx = ShopFixture.get();

    @Test
    void noSuchProcess() {
        long pid = 4_000_000;
        while (ProcessHandle.of(pid).isPresent()) {
            pid--;
        }
        for (List<String> cmd : List.of(List.of("status"), List.of("patch", "rollback"), List.of("attach"))) {
            CliRun r = fx.atlas(cmd, Long.toString(pid));
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.err().contains("no such process: " + pid), r::toString);
        }
        CliRun apply = fx.atlas(List.of("patch", "apply"), Long.toString(pid), fx.fix.toString());
        assertEquals(1, apply.exitCode(), apply::toString);
        assertTrue(apply.err().contains("no such process: " + pid), apply::toString);
    }

    @Test
    void aProcessThatIsNotAJvmIsNotTouched() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            CliRun r = fx.atlas(List.of("patch", "apply"), Long.toString(sleep.pid()), fx.fix.toString());
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.err().contains("is not a Java virtual machine"), r::toString);
            assertTrue(sleep.isAlive(), "the process must not be signalled");
        } finally {
            sleep.destroy();
            sleep.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void usageErrorsExitWith2() {
        CliRun noPid = fx.atlas(List.of("patch", "apply"));
        assertEquals(2, noPid.exitCode(), noPid::toString);
        CliRun badTimeout = fx.atlas(List.of("patch", "rollback"), "1", "--timeout", "soon");
        assertEquals(2, badTimeout.exitCode(), badTimeout::toString);
        assertTrue(badTimeout.err().contains("'soon' is not a duration"), badTimeout::toString);
        CliRun sigWithoutKeys = fx.atlas(List.of("patch", "apply"), "1", fx.fix.toString(), "--require-signature");
        assertEquals(2, sigWithoutKeys.exitCode(), sigWithoutKeys::toString);
        assertTrue(sigWithoutKeys.err().contains("--require-signature needs --keystore"), sigWithoutKeys::toString);
        CliRun badPattern = fx.atlas(List.of("attach"), "1", "--include", "com/acme");
        assertEquals(2, badPattern.exitCode(), badPattern::toString);
        assertTrue(badPattern.err().contains("class pattern 'com/acme'"), badPattern::toString);
    }

    @Test
    @Timeout(60)
    void attachDisabledNamesTheFlag() throws Exception {
        try (AppProcess app = AppProcess.start(fx.v1, "-XX:+DisableAttachMechanism")) {
            CliRun r = fx.atlas(List.of("status"), Long.toString(app.pid()));
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.err().contains("-XX:+DisableAttachMechanism"), r::toString);
        }
    }

    @Test
    @Timeout(60)
    void dynamicAgentLoadingDisabledNamesTheFlag() throws Exception {
        try (AppProcess app = AppProcess.start(fx.v1, fx.javaagent()[0], "-XX:-EnableDynamicAgentLoading")) {
            CliRun r = fx.atlas(List.of("patch", "apply"), Long.toString(app.pid()), fx.fix.toString());
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.err().contains("-XX:-EnableDynamicAgentLoading"), r::toString);
            assertTrue(r.err().contains("Restart it with -XX:+EnableDynamicAgentLoading"), r::toString);
        }
    }

    /**
     * A request held (on a latch) past the timeout keeps its worker in the old view: apply
     * exits 3 naming the thread with its stack, the patch stays applied, the request, once
     * released, still completes all-old, and the thread moves when it ends.
     */
    @Test
    @Timeout(90)
    void timeoutNamesTheStragglerWithItsStackAndDoesNotRollBack() throws Exception {
        try (AppProcess app = AppProcess.start(fx.v1, fx.javaagent());
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String pid = Long.toString(app.pid());
            AppProcess.InFlight sleeping = app.request(client, "/tag?hold=1", "HOLDING");
            CompletableFuture<HttpResponse<String>> slow = sleeping.response();
            String worker = sleeping.worker();

            CliRun apply = fx.atlas(List.of("patch", "apply"), pid, fx.fix.toString(), "--timeout", "1s");
            assertEquals(3, apply.exitCode(), apply::toString);
            String out = apply.out();
            assertTrue(out.contains("not complete after 1000 ms"), out);
            assertTrue(out.contains("\"" + worker + "\""), out);
            assertTrue(out.contains("WAITING"), out);
            assertTrue(out.contains("at acme.shop.TagHandler.hold("), out);
            assertTrue(out.contains("at acme.shop.TagHandler.handle("), out);
            assertTrue(out.contains("NOT rolled back"), out);
            assertTrue(out.contains("atlas patch rollback " + pid), out);

            CommandReply during = fx.status(app);
            assertEquals(fx.fixPatch.id(), during.field("applied"), during::toString);

            HttpResponse<Void> release = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/release")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(204, release.statusCode());
            HttpResponse<String> r = slow.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals(V1, r.body(), "the long request ran wholly in the old view");

            CommandReply[] last = {null};
            Await.until(() -> "the migration ended; last status: " + last[0], Await.BOUND,
                    () -> "0".equals((last[0] = fx.status(app)).field("running-migrations")));
            CommandReply done = last[0];
            assertEquals("0", done.field("threads-outside-default"), done::toString);

            CliRun rollback = fx.atlas(List.of("patch", "rollback"), pid, "--timeout", "20s");
            assertEquals(0, rollback.exitCode(), rollback::toString);
        }
    }
}
