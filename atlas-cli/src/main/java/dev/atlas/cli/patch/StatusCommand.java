package dev.atlas.cli.patch;

import dev.atlas.patch.agent.command.CommandRequest;
import picocli.CommandLine.Command;

import java.nio.file.Path;

/** {@code atlas status <pid>}: the agent, applied patches, views, threads per view, migrations and stragglers. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show the code views of a running JVM: the Atlas agent, applied patches, views with their "
                + "threads, running migrations and their stragglers (with stacks). Changes nothing.",
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:done", "1:failed (see the message)", "2:usage error"})
public final class StatusCommand extends TargetCommand {
    @Override
    CommandRequest request(Path dir) {
        return CommandRequest.status();
    }
}
