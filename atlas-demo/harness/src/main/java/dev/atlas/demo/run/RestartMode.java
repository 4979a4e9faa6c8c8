package dev.atlas.demo.run;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Stop-and-restart, the most common way to ship a fix: stop the v1 process (SIGTERM, its
 * shutdown hook closes the server), start the v2 build on the same port, wait until it
 * answers. Requests sent in between fail; the new JVM then starts cold (interpreter, JIT).
 */
public final class RestartMode implements PatchMode {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "restart";
    }

    @Override
    public String description() {
        return "stop the v1 process, start the v2 build on the same port";
    }

    @Override
    public Optional<String> unavailable(DemoArtifacts artifacts) {
        return Optional.empty();
    }

    @Override
    public List<String> serviceJvmOptions(DemoArtifacts artifacts, Ports ports) {
        return List.of();
    }

    @Override
    public ChangeOutcome applyChange(ServiceControl service) throws IOException, InterruptedException {
        long start = System.nanoTime();
        service.stop();
        long stopped = System.nanoTime();
        service.startReplacement(service.artifacts().serviceV2(), List.of(), READY_TIMEOUT);
        Duration gap = Duration.ofNanos(System.nanoTime() - start);
        return new ChangeOutcome("v2, whole change (new process)", gap, null, gap, List.of(
                "service unavailable for " + gap.toMillis() + " ms (stopping v1: " + (stopped - start) / 1_000_000
                        + " ms, starting v2 until /health answered: " + (System.nanoTime() - stopped) / 1_000_000
                        + " ms); requests in that gap fail",
                "the v2 JVM starts cold: interpreted, then JIT-compiled code"));
    }
}
