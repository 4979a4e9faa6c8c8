package dev.atlas.cli.patch;

import dev.atlas.patch.agent.command.CommandRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.nio.file.Path;

/** {@code atlas variant list <pid> [--traces 10]}. */
@Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
        description = "List the variants of a running JVM: their views, traced and restricted methods, the threads "
                + "in them and their latest traced calls. Changes nothing.",
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:done", "1:failed (see the message)", "2:usage error"})
final class VariantListCommand extends TargetCommand {
    @Option(names = "--traces", paramLabel = "<n>", defaultValue = "10",
            description = "How many of each variant's latest traced calls to show (default: ${DEFAULT-VALUE}).")
    int traces;

    @Override
    CommandRequest request(Path dir) {
        if (traces < 0) {
            throw new ParameterException(spec.commandLine(), "--traces " + traces + ": expected 0 or more");
        }
        return CommandRequest.variantList(traces);
    }
}
