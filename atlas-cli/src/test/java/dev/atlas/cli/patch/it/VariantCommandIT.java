package dev.atlas.cli.patch.it;

import dev.atlas.cli.CliRun;
import dev.atlas.patch.agent.command.CommandReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import static dev.atlas.cli.patch.it.ShopFixture.V1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code atlas variant apply|list|remove} on a running JDK HttpServer (a fixed pool of four
 * workers, {@link ShopApp}): a tracing variant for two named workers records exactly their
 * calls and no other thread's, a restricting variant makes the method throw for its one
 * worker only, each is removed cleanly (its threads back in the default view, its view
 * retired) while the other stays, and bad input is refused naming the value, changing
 * nothing. Nothing waits on time: each command runs while requests flow, and each phase
 * lasts until every worker has served enough requests.
 */
class VariantCommandIT {
    private static final String TRACED = "acme.shop.Pricing#tag";
    private static final String RESTRICTED = "acme.shop.Shipping#tag";
    private static final List<String> WORKERS = List.of("worker-1", "worker-2", "worker-3", "worker-4");

    private final ShopFixture fx = ShopFixture.get();
    /** The test's clients and the CLI commands run beside them (the common pool may have one thread). */
    private static final ExecutorService CLIENTS = Executors.newVirtualThreadPerTaskExecutor();

    @Test
    @Timeout(240)
    void variantsAffectOnlyTheirThreadsAndAreRemovedCleanly() throws Exception {
        try (AppProcess app = AppProcess.start(fx.v1, fx.javaagent());
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String pid = Long.toString(app.pid());
            for (int i = 0; i < WORKERS.size(); i++) {   // a fixed pool starts a new worker per task until it is full
                assertEquals(200, get(client, app).statusCode());
            }
            CommandReply before = fx.status(app);

            refusals(pid, before, app);

            // apply: the trace variant for workers 1 and 2, the restrict variant for worker 3
            CliRun t = whileLoaded(client, app, () -> fx.atlas(List.of("variant", "apply"), pid, "t", "--trace", TRACED,
                    "--thread", "worker-1", "--thread", "worker-2", "--timeout", "2m"));
            assertEquals(0, t.exitCode(), t::toString);
            assertTrue(t.out().contains("variant 't' applied"), t::toString);
            CliRun r = whileLoaded(client, app, () -> fx.atlas(List.of("variant", "apply"), pid, "r", "--restrict",
                    RESTRICTED, "--thread", "worker-3", "--timeout", "2m"));
            assertEquals(0, r.exitCode(), r::toString);

            CommandReply listed = list(pid, 0);
            assertEquals("t,r", listed.field("variants"), listed::toString);
            assertEquals(Set.of("worker-1", "worker-2"), Set.of(listed.field("t.threads").split(",")), listed::toString);
            assertEquals("worker-3", listed.field("r.threads"), listed::toString);
            int tracedBefore = Integer.parseInt(listed.field("t.traced-calls"));

            List<Response> phase = serveUntilEveryWorkerServed(client, app, 5);
            int tracedAfter = Integer.parseInt(list(pid, 0).field("t.traced-calls"));
            long byTracedThreads = phase.stream().filter(x -> x.worker.equals("worker-1") || x.worker.equals("worker-2"))
                    .count();
            assertEquals(byTracedThreads, tracedAfter - tracedBefore,
                    "one traced call per request served by worker-1 or worker-2, none for the others");
            for (Response x : phase) {
                if (x.worker.equals("worker-3")) {
                    assertEquals(500, x.status, x::toString);
                    assertTrue(x.body.contains("RestrictedMethodException") && x.body.contains("restricted in view 'r'"),
                            x::toString);
                } else {
                    assertEquals(200, x.status, x::toString);
                    assertEquals(V1, x.body, x::toString);
                }
            }
            CliRun traces = fx.atlas(List.of("variant", "list"), pid, "--traces", "10000");
            assertEquals(0, traces.exitCode(), traces::toString);
            List<String> traceLines = traces.out().lines().filter(l -> l.startsWith("    ")).toList();
            assertFalse(traceLines.isEmpty(), traces::toString);
            for (String l : traceLines) {
                assertTrue(l.startsWith("    worker-1  ") || l.startsWith("    worker-2  "), l);
                assertTrue(l.contains("acme.shop.Pricing#tag()Ljava/lang/String;[] returned v1"), l);
            }

            // remove the trace variant: its threads go back, its view retires, the other variant stays
            long tView = Long.parseLong(listed.field("t.view"));
            CliRun removeT = whileLoaded(client, app, () -> fx.atlas(List.of("variant", "remove"), pid, "t",
                    "--timeout", "2m"));
            assertEquals(0, removeT.exitCode(), removeT::toString);
            assertTrue(removeT.out().contains("variant 't' removed"), removeT::toString);
            assertEquals("r", list(pid, 0).field("variants"));
            awaitStatus(app, s -> !views(s).contains(Long.toString(tView)),
                    "view " + tView + " of the removed variant retired");
            for (Response x : serveUntilEveryWorkerServed(client, app, 5)) {
                assertEquals(x.worker.equals("worker-3") ? 500 : 200, x.status, x::toString);
            }

            CliRun removeR = whileLoaded(client, app, () -> fx.atlas(List.of("variant", "remove"), pid, "r",
                    "--timeout", "2m"));
            assertEquals(0, removeR.exitCode(), removeR::toString);
            for (Response x : serveUntilEveryWorkerServed(client, app, 5)) {
                assertEquals(200, x.status, x::toString);
                assertEquals(V1, x.body, x::toString);
            }
            CommandReply none = list(pid, 0);
            assertEquals("", none.field("variants"), none::toString);
            CommandReply after = awaitStatus(app, s -> views(before).containsAll(views(s)),
                    "no view left but those there were before the variants (the agent may retire its own meanwhile)");
            assertEquals("0", after.field("threads-outside-default"), after::toString);
        }
    }

    /** Bad input: each refused with a message naming it, and nothing changed in the target. */
    private void refusals(String pid, CommandReply before, AppProcess app) {
        CliRun unknownThread = fx.atlas(List.of("variant", "apply"), pid, "x", "--trace", TRACED, "--thread", "worker-9");
        assertEquals(1, unknownThread.exitCode(), unknownThread::toString);
        assertTrue(unknownThread.err().contains("'worker-9'") && unknownThread.err().contains("bound now:")
                && unknownThread.err().contains("Nothing was changed"), unknownThread::toString);

        CliRun unknownMethod = fx.atlas(List.of("variant", "apply"), pid, "x", "--trace", "acme.shop.Pricing#nope",
                "--thread", "worker-1");
        assertEquals(1, unknownMethod.exitCode(), unknownMethod::toString);
        assertTrue(unknownMethod.err().contains("'acme.shop.Pricing#nope' matches no patchable method"),
                unknownMethod::toString);

        CliRun badName = fx.atlas(List.of("variant", "apply"), pid, "a=b", "--trace", TRACED, "--thread", "worker-1");
        assertEquals(1, badName.exitCode(), badName::toString);
        assertTrue(badName.err().contains("variant name 'a=b'"), badName::toString);

        CliRun badPattern = fx.atlas(List.of("variant", "apply"), pid, "x", "--trace", "Pricing", "--thread", "worker-1");
        assertEquals(2, badPattern.exitCode(), badPattern::toString);
        assertTrue(badPattern.err().contains("method 'Pricing': expected Type#method"), badPattern::toString);

        CliRun nothing = fx.atlas(List.of("variant", "apply"), pid, "x", "--thread", "worker-1");
        assertEquals(2, nothing.exitCode(), nothing::toString);

        CliRun unknownVariant = fx.atlas(List.of("variant", "remove"), pid, "zzz");
        assertEquals(1, unknownVariant.exitCode(), unknownVariant::toString);
        assertTrue(unknownVariant.err().contains("no variant named 'zzz' (applied: none)"), unknownVariant::toString);

        CliRun noProcess = fx.atlas(List.of("variant", "list"), "999999999");
        assertEquals(1, noProcess.exitCode(), noProcess::toString);
        assertTrue(noProcess.err().contains("no such process: 999999999"), noProcess::toString);

        CommandReply now = fx.status(app);
        assertTrue(views(before).containsAll(views(now)), "no view was published by a refused command: before "
                + before.field("views") + ", now " + now.field("views"));
        assertEquals("", list(pid, 0).field("variants"));
    }

    /** The view ids of a status reply. */
    private static Set<String> views(CommandReply status) {
        return Set.of(status.field("views").split(","));
    }

    private CommandReply list(String pid, int traces) {
        CliRun l = fx.atlas(List.of("variant", "list"), pid, "--raw", "--traces", Integer.toString(traces));
        assertEquals(0, l.exitCode(), l::toString);
        return ShopFixture.reply(l);
    }

    /** Polls {@code atlas status} (each poll is an attach: no sleep needed) until {@code condition} holds. */
    private CommandReply awaitStatus(AppProcess app, Predicate<CommandReply> condition, String what) {
        CommandReply s = null;
        for (int i = 0; i < 200; i++) {
            s = fx.status(app);
            if (condition.test(s)) {
                return s;
            }
        }
        throw new AssertionError("not reached after 200 status polls: " + what + "; last status:\n" + s);
    }

    record Response(String worker, int status, String body) {}

    private static HttpResponse<String> get(HttpClient client, AppProcess app) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/tag")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends requests from four clients at once until each of the four workers has served
     * {@code each} of them; returns them all.
     */
    private static List<Response> serveUntilEveryWorkerServed(HttpClient client, AppProcess app, int each)
            throws Exception {
        ConcurrentLinkedQueue<Response> got = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        while (WORKERS.stream().anyMatch(w -> counts.getOrDefault(w, 0) < each)) {
            clients.clear();
            for (int i = 0; i < WORKERS.size(); i++) {
                clients.add(CompletableFuture.runAsync(() -> {
                    try {
                        HttpResponse<String> h = get(client, app);
                        got.add(new Response(h.headers().firstValue("X-Worker").orElse("?"), h.statusCode(), h.body()));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, CLIENTS));
            }
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).join();
            counts.clear();
            got.forEach(x -> counts.merge(x.worker, 1, Integer::sum));
            if (got.size() > 4000) {
                throw new AssertionError("a worker served fewer than " + each + " of " + got.size() + " requests: "
                        + counts);
            }
        }
        return List.copyOf(got);
    }

    /** Runs {@code command} while four clients keep sending requests (so every worker reaches its quiescence points). */
    private static CliRun whileLoaded(HttpClient client, AppProcess app, java.util.function.Supplier<CliRun> command)
            throws Exception {
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(command, CLIENTS);
        while (!run.isDone()) {
            serveUntilEveryWorkerServed(client, app, 1);
        }
        return run.get();
    }
}
