package dev.atlas.demo.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How {@link AtlasMode} gets a built patch into the running service:
 * {@link TriggerAgentApplier} (the demo's own agent, in-process; no CLI needed) or
 * {@code dev.atlas.demo.command.InProcessCliApplier} ({@code atlas patch apply <pid> <patch>},
 * through the Attach API, as {@code atlas demo} runs it).
 */
public interface PatchApplier {
    /**
     * What applying did.
     *
     * @param applied     false if the runtime refused the patch (nothing changed)
     * @param inEffect    from the request until new requests run the new code, or null if unknown
     * @param allMigrated from the request until every thread had moved, or null if unknown
     * @param notes       what the applier knows (threads moved, slowest thread, refusal text)
     */
    record Applied(boolean applied, Duration inEffect, Duration allMigrated, List<String> notes) {
        public Applied {
            notes = List.copyOf(notes);
        }
    }

    /** One line for the table's notes: how the patch is applied. */
    String description();

    /** JVM options the service needs besides {@code -javaagent:atlas-agent.jar}. */
    List<String> serviceJvmOptions(DemoArtifacts artifacts, Ports ports) throws IOException;

    /**
     * Called once the service is up and under load, well before the change (during the
     * warm-up, which is not measured): what an operator does before patching, e.g. a first
     * {@code atlas status} (which also pays the one-time cost of the target JVM's attach
     * listener) and a look at {@code patch} ({@code atlas patch inspect}). Nothing by default.
     */
    default void beforeChange(ServiceProcess service, Path patch) throws IOException, InterruptedException {
    }

    /** Applies {@code patch} to {@code service} and returns once every thread moved (or it failed). */
    Applied apply(ServiceProcess service, Path patch) throws IOException, InterruptedException;
}
