package dev.atlas.cli.patch.it;

import dev.atlas.cli.CliRun;
import dev.atlas.patch.agent.command.CommandReply;
import dev.atlas.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.atlas.cli.patch.it.ShopFixture.V1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults injected while a patch is applied or rolled back: the target JVM killed (SIGKILL)
 * while the CLI waits for its migration, and a state-transfer hook that throws. (A CLI
 * killed while it waits: {@link WaitingApplyIT}.) Each time the CLI says what happened,
 * leaves nothing in its command directory, and a JVM that survived can be patched again.
 */
class FaultInjectionIT {
    private static final String CLI_DIRS = "atlas-cmd-" + ProcessHandle.current().pid() + "-";
    private final ShopFixture fx = ShopFixture.get();

    @Test
    @Timeout(120)
    void aTargetKilledDuringApplyIsReportedAndLeavesNoCommandDirectory() throws Exception {
        assertTargetKilledWhileWaiting(false);
    }

    @Test
    @Timeout(120)
    void aTargetKilledDuringRollbackIsReportedAndLeavesNoCommandDirectory() throws Exception {
        assertTargetKilledWhileWaiting(true);
    }

    /**
     * Holds a request in the view the command migrates away from, runs {@code apply} (or,
     * after an apply, {@code rollback}) with a long timeout, kills the target once its
     * migration waits for that request, and checks what the CLI says and leaves.
     */
    private void assertTargetKilledWhileWaiting(boolean rollback) throws Exception {
        try (AppProcess app = AppProcess.start(fx.v1, fx.javaagent());
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String pid = Long.toString(app.pid());
            if (rollback) {
                CliRun applied = fx.atlas(List.of("patch", "apply"), pid, fx.fix.toString(), "--timeout", "30s");
                assertEquals(0, applied.exitCode(), applied::toString);
            }
            String worker = app.request(client, "/tag?hold=1", "HOLDING").worker();
            List<String> command = rollback ? List.of("patch", "rollback") : List.of("patch", "apply");
            String[] args = rollback ? new String[] {pid, "--timeout", "10m"}
                    : new String[] {pid, fx.fix.toString(), "--timeout", "10m"};
            CompletableFuture<CliRun> waiting = CompletableFuture.supplyAsync(() -> fx.atlas(command, args));
            awaitStraggler(app, worker);
            app.kill();
            CliRun r = waiting.get(60, TimeUnit.SECONDS);
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.err().contains("process " + pid + " exited before it reported the end of migration"), r::toString);
            assertEquals(List.of(), commandDirectories(), "the CLI's command directories must be gone");
        }
    }

    /**
     * A patch whose {@code atlas$transfer()} writes to a static field and then throws: the
     * reply says the patch was not applied and that the hook ran (its write stays: the old
     * code sees it), not "nothing was changed"; then a good patch applies and rolls back.
     */
    @Test
    @Timeout(180)
    void aFailedTransferHookIsReportedAsRunAndTheJvmCanApplyAgain() throws Exception {
        Path v1 = ShopApp.compile(withShipping("v1", SHIPPING_V1), fx.dir.resolve("hook-v1"));
        Path bad = build(v1, ShopApp.compile(withShipping("v2", SHIPPING_V2.formatted(
                "ZONES.add(\"us\");\n        throw new IllegalStateException(\"zone us has no carrier\");")),
                fx.dir.resolve("hook-v2-bad")), "hook-bad.atlaspatch");
        Path good = build(v1, ShopApp.compile(withShipping("v2", SHIPPING_V2.formatted(
                "if (!ZONES.contains(\"us\")) ZONES.add(\"us\");")), fx.dir.resolve("hook-v2-good")), "hook-good.atlaspatch");
        try (AppProcess app = AppProcess.start(v1, fx.javaagent());
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String pid = Long.toString(app.pid());
            assertEquals(V1, get(client, app));
            CommandReply before = fx.settledStatus(app);

            CliRun r = fx.atlas(List.of("patch", "apply"), pid, bad.toString(), "--timeout", "30s", "--raw");
            assertEquals(1, r.exitCode(), r::toString);
            CommandReply reply = ShopFixture.reply(r);
            assertEquals(CommandReply.Status.REFUSED, reply.status(), r::toString);
            assertEquals("acme.shop.Shipping", reply.field("hook-failed"), r::toString);
            assertTrue(reply.text().contains("the state-transfer hook of acme.shop.Shipping failed in the new view: "
                    + "java.lang.IllegalStateException: zone us has no carrier"), r::toString);
            assertTrue(reply.text().contains("The patch was not applied: its view retired unused and no thread moved"), r::toString);
            assertTrue(reply.text().contains("whatever they wrote stays written"), r::toString);
            assertFalse(reply.text().contains("Nothing was changed"), r::toString);
            CommandReply after = fx.status(app);
            for (String f : List.of("default-view", "applied", "running-migrations")) {
                assertEquals(before.field(f), after.field(f), () -> f + ": " + before + "\n" + after);
            }
            assertEquals(V1 + "+us", get(client, app), "the old code runs, and sees what the failed hook wrote");

            CliRun ok = fx.atlas(List.of("patch", "apply"), pid, good.toString(), "--timeout", "30s");
            assertEquals(0, ok.exitCode(), ok::toString);
            assertEquals(ShopFixture.V2, get(client, app));
            CliRun back = fx.atlas(List.of("patch", "rollback"), pid, "--timeout", "30s");
            assertEquals(0, back.exitCode(), back::toString);
            assertEquals(V1 + "+us", get(client, app));
        }
    }

    private static final String SHIPPING_V1 = """
            package acme.shop;

            import java.util.ArrayList;
            import java.util.List;

            public final class Shipping {
                static final List<String> ZONES = new ArrayList<>(List.of("eu"));

                static String tag() {
                    return "v1" + (ZONES.size() > 1 ? "+" + ZONES.get(1) : "");
                }
            }
            """;

    private static final String SHIPPING_V2 = """
            package acme.shop;

            import java.util.ArrayList;
            import java.util.List;

            public final class Shipping {
                static final List<String> ZONES = new ArrayList<>(List.of("eu", "us"));

                static String tag() {
                    return "v2";
                }

                static void atlas$transfer() {
                    %s
                }
            }
            """;

    private static Map<String, String> withShipping(String version, String shipping) {
        Map<String, String> sources = new HashMap<>(ShopApp.sources(version));
        sources.put("acme/shop/Shipping.java", shipping);
        return sources;
    }

    private Path build(Path oldBuild, Path newBuild, String name) {
        Path out = fx.dir.resolve(name);
        CliRun r = CliRun.atlas("patch", "build", oldBuild.toString(), newBuild.toString(), "-o", out.toString(),
                "--include", "acme.shop.**");
        assertEquals(0, r.exitCode(), r::toString);
        return out;
    }

    private static String get(HttpClient client, AppProcess app) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/tag"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    /** Until {@code atlas status} names {@code worker} as the migration's straggler. */
    private void awaitStraggler(AppProcess app, String worker) {
        Await.until("a migration waiting for " + worker, () -> {
            String stragglers = fx.status(app).field("stragglers");
            return stragglers != null && stragglers.contains(worker);
        });
    }

    /** This JVM's CLI command directories left in the temporary directory. */
    private static List<Path> commandDirectories() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")).toRealPath())) {
            return s.filter(p -> p.getFileName().toString().startsWith(CLI_DIRS)).toList();
        }
    }
}
