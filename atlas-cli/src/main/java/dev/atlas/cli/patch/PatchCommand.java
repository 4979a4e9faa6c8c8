package dev.atlas.cli.patch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code atlas patch build|inspect|apply|rollback}: wait-free live patching.
 *
 * {@snippet lang=text :
 * java -javaagent:atlas-agent.jar -XX:+EnableDynamicAgentLoading -jar app.jar &
 * atlas patch build app-1.0.jar app-1.1.jar -o fix.atlaspatch
 * atlas patch inspect fix.atlaspatch
 * atlas patch apply <pid> fix.atlaspatch --timeout 30s
 * atlas status <pid>
 * atlas patch rollback <pid>
 * }
 */
@Command(name = "patch", mixinStandardHelpOptions = true,
        description = "Build, inspect, apply and roll back live patches. Applying moves every thread to the new code "
                + "at its own quiescence point (the end of its current request); no thread waits for another.",
        subcommands = {PatchBuildCommand.class, PatchInspectCommand.class, PatchApplyCommand.class, PatchRollbackCommand.class})
public final class PatchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: build, inspect, apply or rollback");
    }
}
