package dev.atlas.demo.run;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * One way of getting build v2 into the running v1 service; the demo runs the same scenario
 * once per mode and compares them.
 *
 * {@snippet class=dev.atlas.demo.snippets.HarnessSnippets region=patch-mode}
 *
 * <p>Threading: the orchestrator calls a mode from one thread, one run at a time.
 */
public interface PatchMode {
    /** Short name, e.g. {@code restart}: the table's row label and the chart's legend. */
    String name();

    /** What the mode does, one line. */
    String description();

    /** Why the mode cannot run here (e.g. a missing runtime or jar), or empty if it can. */
    Optional<String> unavailable(DemoArtifacts artifacts);

    /** JVM options the v1 service process needs for this mode (e.g. {@code -javaagent:...}); {@code ports} gives free ports. */
    List<String> serviceJvmOptions(DemoArtifacts artifacts, Ports ports) throws IOException;

    /**
     * Applies the change now (time T) to the service behind {@code service} and returns once
     * it is in effect or has failed. Never throws for a refusal: that is an outcome.
     */
    ChangeOutcome applyChange(ServiceControl service) throws IOException, InterruptedException;

    /** Called once the service is up and under load, during the (unmeasured) warm-up. Nothing by default. */
    default void beforeChange(ServiceControl service) throws IOException, InterruptedException {
    }
}
