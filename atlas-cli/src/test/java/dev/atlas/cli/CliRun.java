package dev.atlas.cli;

import dev.atlas.patch.agent.command.CommandReply;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One execution of a command line, with its output captured.
 *
 * @param exitCode what {@code atlas} would exit with
 * @param out      standard output
 * @param err      standard error
 */
public record CliRun(int exitCode, String out, String err) {

    /** Runs {@code args} on {@code cmd} (its own out/err are replaced by buffers). */
    public static CliRun of(CommandLine cmd, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Runs {@code args} exactly as {@code main} would, but without exiting. */
    public static CliRun atlas(String... args) {
        return of(AtlasCommand.commandLine(), args);
    }

    /** Standard output parsed as the agent's reply (a command run with {@code --raw}). */
    public CommandReply reply() {
        return CommandReply.parse(out, "atlas reply");
    }

    @Override
    public String toString() {
        return "exit code " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
