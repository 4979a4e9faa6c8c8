package dev.atlas.demo.command;

import dev.atlas.cli.AtlasCommand;
import dev.atlas.demo.run.DemoArtifacts;
import dev.atlas.demo.run.PatchApplier;
import dev.atlas.demo.run.Ports;
import dev.atlas.demo.run.ServiceProcess;
import dev.atlas.patch.agent.command.CommandReply;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies the Atlas mode's patch with {@code atlas patch apply <pid> <patch> --raw}, run as a
 * command line of {@link AtlasCommand} inside the demo's own JVM: the operator's code path
 * (checks, private command directory, attach, the agent's {@code apply} command, its reply),
 * without starting a second JVM, whose start-up would itself load the machine while the
 * service is measured.
 *
 * {@snippet class=dev.atlas.demo.snippets.HarnessSnippets region=in-process-cli-applier}
 *
 * <p>Implementation notes: the command gets {@code --agent-jar} set to the jar the service
 * was started with ({@code -javaagent}), so the agent it loads to deliver the command is the
 * one already installed. The service runs with {@code -XX:+EnableDynamicAgentLoading}: the
 * command reaches the agent by loading it through the Attach API. The command line is built
 * before the service starts; the times are measured around {@code execute}, so both "in
 * effect" and "all migrated" include the checks, the attach (measured here: about 0.2 s for
 * the first attach to a JVM, about 35 ms for later ones), the agent's work in the service and
 * the wait for the last thread. Not thread-safe; one
 * instance per run (it keeps the agent jar and the command line).
 */
public final class InProcessCliApplier implements PatchApplier {
    /** How long the command waits for every thread ({@code --timeout}). */
    static final String TIMEOUT = "30s";

    private Path agentJar;
    private CommandLine cli;

    @Override
    public String description() {
        return "applied with 'atlas patch apply <pid> <patch> --raw' run inside the demo's JVM (no second JVM;"
                + " times include the attach); 'atlas status <pid>' and 'atlas patch inspect <patch>' ran during the warm-up,"
                + " as an operator would";
    }

    @Override
    public List<String> serviceJvmOptions(DemoArtifacts artifacts, Ports ports) {
        agentJar = artifacts.atlasAgent().toAbsolutePath();
        cli = AtlasCommand.commandLine();   // built now: picocli's model of the commands is not part of applying
        return List.of("-XX:+EnableDynamicAgentLoading");
    }

    /**
     * During the warm-up, what an operator does first: {@code atlas status <pid>} (which also
     * starts the service's attach listener, a one-time cost of the target JVM of about 0.2 s
     * that would otherwise land in the patch window, and runs the agent's command path once)
     * and {@code atlas patch inspect <patch>} (a look at what the patch changes, which also
     * loads the patch-reading code into this JVM). Their outcome does not matter here: a
     * refusal shows in {@link #apply}.
     */
    @Override
    public void beforeChange(ServiceProcess service, Path patch) {
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        cli.execute("status", Long.toString(service.pid()), "--agent-jar", agentJar.toString(), "--raw");
        cli.execute("patch", "inspect", patch.toAbsolutePath().toString());
    }

    @Override
    public Applied apply(ServiceProcess service, Path patch) {
        if (cli == null) {
            throw new IllegalStateException("serviceJvmOptions was not called: the agent jar is not known");
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        long start = System.nanoTime();
        int code = cli.execute("patch", "apply", Long.toString(service.pid()), patch.toAbsolutePath().toString(),
                "--agent-jar", agentJar.toString(), "--timeout", TIMEOUT, "--raw");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        return outcome(code, out.toString(), err.toString(), took);
    }

    /** What the command's exit code and {@code --raw} output say; package-private for tests. */
    static Applied outcome(int code, String out, String err, Duration took) {
        List<String> notes = new ArrayList<>();
        if (code != 0 && code != 3) {
            notes.add("'atlas patch apply' refused (exit code " + code + "): " + oneLine(err + " " + out));
            return new Applied(false, null, null, notes);
        }
        CommandReply reply;
        try {
            reply = CommandReply.parse(out, "the output of 'atlas patch apply --raw'");
        } catch (IllegalArgumentException e) {
            notes.add("applied (exit code " + code + "), but its output is not a reply: " + e.getMessage());
            return new Applied(true, took, code == 0 ? took : null, notes);
        }
        String first = reply.text().lines().findFirst().orElse("").strip();
        if (!first.isEmpty()) {
            notes.add("atlas: " + first);
        }
        notes.add(value(reply, "moved") + " of " + value(reply, "threads")
                + " thread(s) moved, each at its own quiescence point; the longest wait of one thread: "
                + value(reply, "max-delay-ms") + " ms");
        if (code == 3) {
            notes.add("the command's --timeout " + TIMEOUT + " ran out before every thread moved (the patch is in effect;"
                    + " not moved yet: " + value(reply, "stragglers") + ")");
            return new Applied(true, took, null, notes);
        }
        return new Applied(true, took, took, notes);
    }

    private static String value(CommandReply reply, String field) {
        String v = reply.field(field);
        return v == null ? "?" : v;
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }
}
