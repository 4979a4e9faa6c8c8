package dev.atlas.it.servers;

import dev.atlas.cli.CliRun;
import dev.atlas.testsupport.TaggedLoad;
import dev.atlas.patch.agent.command.CommandReply;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cases every server goes through, against one running process under load: apply the
 * v1 -> v2 patch, roll it back, apply it again. Phases of the load: 0 before, 1 while
 * applying, 2 after apply returned, 3 while rolling back, 4 after, 5 while re-applying, 6 after.
 *
 * <p>Pass: no failed request, no mixed request, phases 0 and 4 all v1, phases 2 and 6 all v2,
 * every thread in the migration moved (none left outside the view), {@code atlas status}
 * showing the patch after the first apply. Requests that straddle a phase change are checked
 * for mixed versions only ({@link TaggedLoad#STRADDLING}).
 */
final class PatchSequence {
    /** Requests per phase before the next command: half a second of the load at its target rate. */
    private static final long PER_PHASE = Math.max(60, ServerCase.RATE / 2);

    private final ServerCase server;
    private final ServerProcess process;
    private final List<String> notes = new ArrayList<>();

    PatchSequence(ServerCase server, ServerProcess process) {
        this.server = server;
        this.process = process;
    }

    /** Runs the three cases under load; returns notes for the report (replies' figures). */
    List<String> run() throws Exception {
        Path patch = AtlasCli.patch(server.pkgs());
        TaggedLoad load = server.load(process, ServerCase.RATE);
        try (load) {
            load.awaitRequests(0, PER_PHASE);
            move(load, 1, List.of("patch", "apply"), patch);
            load.awaitRequests(2, PER_PHASE);
            CommandReply st = status();
            assertEquals(1, st.field("applied").split(",").length, st::toString);
            move(load, 3, List.of("patch", "rollback"), null);
            load.awaitRequests(4, PER_PHASE);
            move(load, 5, List.of("patch", "apply"), patch);
            load.awaitRequests(6, PER_PHASE);
        } finally {
            load.close();
            notes.add(0, "load: " + ServerCase.rateNote(load.rate()) + "; latency from the intended send: "
                    + latencies(load));
            notes.add(1, "outcomes: " + load);
        }
        assertEquals(List.of(), load.failures(), () -> server.name() + ": failed requests; " + load + "\nserver stderr:\n"
                + tail(process.stderr()));
        assertEquals(0, load.mixed(), () -> server.name() + ": mixed requests; " + load);
        for (int p : new int[] {0, 4}) {
            assertEquals(Map.of("v1", load.count(p)), load.outcomes(p), load::toString);
        }
        for (int p : new int[] {0, 2, 4, 6}) {
            for (String body : load.bodies(p)) {
                // a call of several units (a gRPC stream) may cross versions only while a change runs
                assertTrue(!body.contains(" crossed "), () -> server.name() + ": phase " + p + " with no change running "
                        + "has a call whose parts ran in two versions: " + body);
            }
        }
        for (int p : new int[] {2, 6}) {
            assertEquals(Map.of("v2", load.count(p)), load.outcomes(p), load::toString);
            for (String body : load.bodies(p)) {
                assertTrue(body.matches("v2-v2-v2" + server.v2Suffix() + ".*"), () -> server.name() + ": v2 response '"
                        + body + "' lacks the new state '" + server.v2Suffix() + "'");
            }
        }
        return notes;
    }

    private void move(TaggedLoad load, int phase, List<String> command, Path patch) {
        load.phase(phase);
        List<String> args = new ArrayList<>();
        if (patch != null) {
            args.add(patch.toString());
        }
        args.addAll(List.of("--timeout", "30s", "--raw"));
        CliRun r = AtlasCli.target(command, process.pid(), args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), () -> server.name() + ": " + command + " failed: " + r + "\nserver stderr:\n"
                + tail(process.stderr()));
        CommandReply reply = r.reply();
        assertEquals("0", reply.field("threads-outside-view"), reply::toString);
        notes.add(String.join(" ", command) + ": threads " + reply.field("threads") + ", moved " + reply.field("moved")
                + ", slowest move " + reply.field("max-delay-ms") + " ms");
        load.phase(phase + 1);
    }

    CommandReply status() {
        CliRun r = AtlasCli.target(List.of("status"), process.pid(), "--raw");
        assertEquals(0, r.exitCode(), r::toString);
        return r.reply();
    }

    /** p50, p99 and max of the run's answered requests. */
    private static String latencies(TaggedLoad load) {
        long[] l = load.latencies(Long.MIN_VALUE, Long.MAX_VALUE);
        if (l.length == 0) {
            return "none answered";
        }
        java.util.Arrays.sort(l);
        return String.format(java.util.Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms", l[l.length / 2] / 1e6,
                l[(int) Math.ceil(l.length * 0.99) - 1] / 1e6, l[l.length - 1] / 1e6);
    }

    static String tail(String s) {
        return s.length() <= 6000 ? s : "..." + s.substring(s.length() - 6000);
    }
}
