package dev.atlas.cli.patch;

import dev.atlas.patch.agent.command.CommandReply;
import dev.atlas.patch.agent.command.CommandRequest;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * A command sent to the Atlas agent in a running JVM (apply, rollback, status, attach):
 * builds the request in a private directory, checks and attaches the JVM, prints the reply.
 * An apply or rollback replies as soon as its migration has started; the CLI prints that
 * at once and then waits, here, for the agent's final reply (every thread moved, or the
 * stragglers when the timeout ran out): the target JVM's attach listener is free meanwhile,
 * and a CLI killed while it waits leaves nothing waiting in the target. Exit codes:
 * {@link ExitCodes}.
 */
abstract class TargetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<pid>", description = "Process id of the application's JVM (see 'jps -l').")
    long pid;

    @Option(names = "--agent-jar", paramLabel = "<jar>",
            description = "The agent jar to load (default: -Datlas.agent.jar, $ATLAS_AGENT_JAR, or next to atlas's jar).")
    Path agentJar;

    @Option(names = "--timings", description = "Print to stderr where the command's time went: this command's JVM "
            + "start, the attach handshake, the agent's loading and its phases in the target (see docs/servers-benchmark.md).")
    boolean timings;

    @Option(names = "--raw", description = "Print the agent's reply as it is: status, key=value fields, empty line, text.")
    boolean raw;

    /** The request; any file it names is placed in {@code dir} (private, mode 0700). */
    abstract CommandRequest request(Path dir) throws CliFailure, IOException;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CommandTimings times = new CommandTimings();
        try (CommandDirectory dir = new CommandDirectory()) {
            CommandRequest request = request(dir.path());
            TargetJvm jvm = TargetJvm.of(pid);
            Path jar = AgentJar.locate(agentJar);
            String note = jvm.dynamicLoadingNote();
            if (note != null) {
                err.println("atlas: " + note);
            }
            CommandReply reply = jvm.send(jar, request, dir.path(), times);
            if (timings) {
                err.println("atlas: timings (ms): " + times.render(reply));
                err.flush();
            }
            if (reply.status() == CommandReply.Status.STARTED) {
                // the change is in effect and its migration runs: say so now, then wait here (not in the JVM)
                if (!raw) {
                    out.print(reply.text());
                    out.flush();
                }
                CommandReply last = jvm.awaitFinal(dir.path(), request.timeout(), reply);
                return print(raw ? reply.followedBy(last) : last, out, err);
            }
            return print(reply, out, err);
        } catch (CliFailure e) {
            err.println("atlas: " + e.getMessage());
            return ExitCodes.FAILED;
        } catch (IOException e) {
            err.println("atlas: " + e);
            return ExitCodes.FAILED;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int print(CommandReply reply, PrintWriter out, PrintWriter err) {
        if (raw) {
            out.print(reply.render());
        } else if (reply.status() == CommandReply.Status.OK || reply.status() == CommandReply.Status.TIMEOUT
                || reply.status() == CommandReply.Status.STARTED) {
            out.print(reply.text());
        } else {
            err.print("atlas: process " + pid + ": " + reply.text());
        }
        return switch (reply.status()) {
            case OK -> ExitCodes.OK;
            case TIMEOUT, STARTED -> ExitCodes.TIMEOUT;
            case REFUSED, FAILED -> ExitCodes.FAILED;
        };
    }
}
