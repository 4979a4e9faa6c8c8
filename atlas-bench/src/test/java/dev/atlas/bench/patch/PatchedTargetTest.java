package dev.atlas.bench.patch;

import dev.atlas.patch.runtime.CodeViews;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark's fixture really runs the code each benchmark claims to measure: the
 * instrumented copy runs the original body until the patch is applied, the patched body in
 * the patch's view (on the applying thread and on a thread that first calls afterwards), and
 * the original again after rollback, with the guard left on. (The un-instrumented case
 * cannot run in this JVM: the test's loader holds the instrumented Target.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)   // guards are never switched off: "unpatched" comes first
class PatchedTargetTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long K = 42;

    @AfterEach
    void noPatchLeftApplied() throws Exception {
        while (!PatchedTarget.views().applied().isEmpty()) {
            PatchedTarget.rollback(TIMEOUT);
        }
    }

    @Test
    @Order(2)
    void instrumentedCopyRunsOriginalThenPatchedThenOriginalBody() throws Exception {
        PatchedTarget t = PatchedTarget.load();
        Op op = t.newInstance(K);
        assertEquals(PatchedTarget.TARGET.replace('.', '/'), t.slot().className());
        assertEquals(PatchedTarget.original(K, 3, 4), op.m(3, 4));
        assertTrue(PatchedTarget.original(K, 3, 4) != PatchedTarget.patched(K, 3, 4), "the two bodies are told apart");

        t.apply(TIMEOUT);
        assertTrue(t.slot().isActive());
        assertEquals(PatchedTarget.patched(K, 3, 4), op.m(3, 4));
        assertEquals(PatchedTarget.patched(K, 3, 4), PatchCallBenchmark.call(op, 3, 4));
        assertEquals(PatchedTarget.patched(K, 3, 4), onNewThread(op), "a thread that first calls after apply");

        PatchedTarget.rollback(TIMEOUT);
        assertTrue(t.slot().isActive(), "guards stay on after a rollback");
        assertEquals(PatchedTarget.original(K, 3, 4), op.m(3, 4));
        assertEquals(PatchedTarget.original(K, 3, 4), onNewThread(op));
    }

    @Test
    @Order(1)
    void benchmarkStatesCheckWhatTheyMeasure() throws Throwable {
        PatchedTarget.load();   // before anything else touches Target (see PatchedTarget)
        new PatchCallBenchmark.Reference().setup();

        PatchCallBenchmark.Unpatched unpatched = new PatchCallBenchmark.Unpatched();
        unpatched.setup();
        assertThrows(IllegalStateException.class, () -> PatchCallBenchmark.expect(unpatched.op, true),
                "the check fails when the body is not the one expected");

        PatchCallBenchmark.Patched patched = new PatchCallBenchmark.Patched();
        patched.setup();
        assertEquals(PatchedTarget.patched(PatchCallBenchmark.K, 5, 6), patched.op.m(5, 6));
        PatchedTarget.rollback(TIMEOUT);

        PatchCallBenchmark.PatchedNotNewest notNewest = new PatchCallBenchmark.PatchedNotNewest();
        notNewest.setup();
        assertEquals(2, PatchedTarget.views().applied().size());
        CompletableFuture<Object> viewOfThread = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                new PatchCallBenchmark.InFirstView().setup(notNewest);   // checks the patched result there
                viewOfThread.complete(PatchedTarget.views().space().currentForCall());
            } catch (Throwable e) {
                viewOfThread.completeExceptionally(e);
            }
        });
        assertEquals(notNewest.first, viewOfThread.get(30, TimeUnit.SECONDS));
        PatchedTarget.rollback(TIMEOUT);
        PatchedTarget.rollback(TIMEOUT);

        PatchCallBenchmark.RolledBack rolledBack = new PatchCallBenchmark.RolledBack();
        rolledBack.setup();
        assertEquals(PatchedTarget.original(PatchCallBenchmark.K, 5, 6), rolledBack.op.m(5, 6));
        assertTrue(PatchedTarget.views().applied().isEmpty());
    }

    private static long onNewThread(Op op) throws Exception {
        CompletableFuture<Long> r = new CompletableFuture<>();
        Thread th = Thread.ofPlatform().start(() -> r.complete(op.m(3, 4)));
        th.join(TIMEOUT.toMillis());
        return r.get(1, TimeUnit.SECONDS);
    }
}
