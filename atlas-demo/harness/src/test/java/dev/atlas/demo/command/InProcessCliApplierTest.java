package dev.atlas.demo.command;

import dev.atlas.demo.run.PatchApplier.Applied;
import dev.atlas.patch.agent.command.CommandReply;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the applier reads {@code atlas patch apply --raw}: exit code and reply. */
class InProcessCliApplierTest {
    private static final Duration TOOK = Duration.ofMillis(42);

    private static String reply(CommandReply.Status status, Map<String, String> fields) {
        return new CommandReply(status, fields, "patch abc (unsigned) applied: 2 method(s) replaced\nMigration 1 done\n").render();
    }

    @Test
    void everyThreadMovedMeansInEffectAndAllMigrated() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("patch", "abc");
        f.put("threads", "16");
        f.put("moved", "16");
        f.put("max-delay-ms", "3.500");

        Applied a = InProcessCliApplier.outcome(0, reply(CommandReply.Status.OK, f), "", TOOK);

        assertTrue(a.applied());
        assertEquals(TOOK, a.inEffect());
        assertEquals(TOOK, a.allMigrated());
        assertTrue(a.notes().contains("atlas: patch abc (unsigned) applied: 2 method(s) replaced"), a.notes()::toString);
        assertTrue(a.notes().contains("16 of 16 thread(s) moved, each at its own quiescence point; the longest wait of one"
                + " thread: 3.500 ms"), a.notes()::toString);
    }

    @Test
    void aTimeoutIsAppliedButNotAllMigratedAndNamesTheStragglers() {
        Applied a = InProcessCliApplier.outcome(3, reply(CommandReply.Status.TIMEOUT,
                Map.of("threads", "16", "moved", "15", "stragglers", "worker-3")), "", TOOK);

        assertTrue(a.applied());
        assertEquals(TOOK, a.inEffect());
        assertNull(a.allMigrated());
        assertTrue(a.notes().stream().anyMatch(n -> n.contains("not moved yet: worker-3")), a.notes()::toString);
    }

    @Test
    void aRefusalIsNotAppliedAndQuotesTheCommand() {
        Applied a = InProcessCliApplier.outcome(1, "", "atlas: process 7: the patch changes a field\n", TOOK);

        assertFalse(a.applied());
        assertNull(a.inEffect());
        assertEquals("'atlas patch apply' refused (exit code 1): atlas: process 7: the patch changes a field",
                a.notes().getFirst());
    }
}
