package dev.atlas.cli.patch;

import dev.atlas.cli.Durations;
import dev.atlas.patch.agent.command.CommandRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;

/** {@code atlas variant remove <pid> <name> [--timeout 30s]}. */
@Command(name = "remove", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Remove a variant: its threads move back to the default view, each at its next quiescence "
                + "point, and its view retires once they have left.",
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {
            "0:removed, every thread moved back",
            "1:refused (no such variant, agent not installed...) or failed; nothing changed",
            "2:usage error",
            "3:removed, but some threads had not moved back when --timeout ran out (named, with stacks)"})
final class VariantRemoveCommand extends TargetCommand {
    @Parameters(index = "1", paramLabel = "<name>", description = "The variant's name (see 'atlas variant list').")
    String name;

    @Option(names = "--timeout", paramLabel = "<time>", defaultValue = "30s", converter = Durations.Converter.class,
            description = "How long to wait for its threads to move back (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    CommandRequest request(Path dir) {
        return CommandRequest.variantRemove(name, timeout);
    }
}
