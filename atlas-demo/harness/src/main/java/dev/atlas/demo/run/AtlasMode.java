package dev.atlas.demo.run;

import java.util.List;
import java.util.Optional;

/**
 * Atlas wait-free live patching: the service runs with the Atlas agent ({@code -javaagent}),
 * {@code atlas patch build} diffs v1 and v2 into a patch, {@code atlas patch apply <pid>}
 * prepares a code view with v2 and migrates each worker at its own quiescence point (between
 * two requests), so no thread waits and no request mixes versions.
 *
 * <p>Not available yet: the runtime ({@code atlas-patch}) is being written. Until then
 * {@link #unavailable} says so and the demo skips this mode.
 */
public final class AtlasMode implements PatchMode {
    static final String NOT_AVAILABLE =
            "not available yet: the Atlas live-patching runtime (atlas-patch agent, 'atlas patch apply') is not in this build";

    @Override
    public String name() {
        return "atlas";
    }

    @Override
    public String description() {
        return "Atlas wait-free live patch (per-thread migration at quiescence points)";
    }

    @Override
    public Optional<String> unavailable(DemoArtifacts artifacts) {
        return Optional.of(NOT_AVAILABLE);
    }

    @Override
    public List<String> serviceJvmOptions(DemoArtifacts artifacts, Ports ports) {
        throw new UnsupportedOperationException(NOT_AVAILABLE);
    }

    @Override
    public ChangeOutcome applyChange(ServiceControl service) {
        throw new UnsupportedOperationException(NOT_AVAILABLE);
    }
}
