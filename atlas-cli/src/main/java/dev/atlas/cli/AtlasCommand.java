package dev.atlas.cli;

import dev.atlas.cli.patch.AttachCommand;
import dev.atlas.cli.patch.PatchCommand;
import dev.atlas.cli.patch.StatusCommand;
import dev.atlas.cli.patch.VariantCommand;
import dev.atlas.cli.spaces.SpacesCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code atlas} command line. Subcommands do the work; {@code atlas} alone is a
 * usage error (exit code 2). The launcher script handles {@code atlas test} and
 * {@code atlas build} itself and runs {@code atlas demo} from the demo harness
 * (atlas-demo/harness), so no subcommand may take those names.
 */
@Command(name = "atlas",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersionProvider.class,
        description = "Atlas: several views (code + off-heap memory) in one JVM; threads migrate between "
                + "them one by one, each at its own quiescence point, so nobody waits.",
        subcommands = {PatchCommand.class, StatusCommand.class, AttachCommand.class, VariantCommand.class,
            SpacesCommand.class})
public final class AtlasCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "Missing subcommand, e.g. 'atlas patch build'");
    }

    /** The command line as {@link #main} runs it: bad options get a short message and exit code 2. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new AtlasCommand()).setParameterExceptionHandler(new ShortErrorHandler());
        // picocli skips the unmatched-argument check when --help is given: 'atlas bogus --help' must not print help
        CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
        cmd.setExecutionStrategy(parseResult -> {
            CommandLine.ParseResult last = parseResult;
            while (last.hasSubcommand()) {
                last = last.subcommand();
            }
            if (!last.unmatched().isEmpty()) {
                throw new CommandLine.UnmatchedArgumentException(last.commandSpec().commandLine(), last.unmatched());
            }
            return runLast.execute(parseResult);
        });
        return cmd;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
