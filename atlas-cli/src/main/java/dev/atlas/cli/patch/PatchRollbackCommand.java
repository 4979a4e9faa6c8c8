package dev.atlas.cli.patch;

import dev.atlas.cli.Durations;
import dev.atlas.patch.agent.command.CommandRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code atlas patch rollback <pid> [--timeout 30s] [--program <id> | --class-loader <name>]}:
 * takes the newest patch (of that program or class loader) out; the others stay applied.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Roll back the newest patch of a running JVM: every thread moves back to the previous code "
                + "at its own quiescence point; waits up to --timeout.",
                "With --program or --class-loader: the newest patch applied to that program or class loader; the "
                        + "patches of the others stay applied."},
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {
            "0:rolled back, every thread moved back",
            "1:refused (no patch applied, agent not installed...) or failed; nothing changed",
            "2:usage error",
            "3:rolled back, but some threads had not moved back when --timeout ran out (named, with stacks)"})
final class PatchRollbackCommand extends TargetCommand {
    @Option(names = "--timeout", paramLabel = "<time>", defaultValue = "30s", converter = Durations.Converter.class,
            description = "How long to wait for every thread to move back (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    LoaderOptions scope;

    @Override
    CommandRequest request(Path dir) {
        return CommandRequest.rollback(timeout, scope.loader(spec));
    }
}
