package dev.atlas.demo.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link PatchMode} may do to the running service: read it, and (for a restart)
 * replace its process by one running another build on the same port. Not thread-safe.
 */
public final class ServiceControl {
    private final DemoArtifacts artifacts;
    private final ServiceSettings settings;
    private final Path workDir;
    private ServiceProcess current;
    private int generation;

    ServiceControl(DemoArtifacts artifacts, ServiceSettings settings, Path workDir, ServiceProcess first) {
        this.artifacts = artifacts;
        this.settings = settings;
        this.workDir = workDir;
        this.current = first;
    }

    public DemoArtifacts artifacts() {
        return artifacts;
    }

    /** The process serving now. */
    public ServiceProcess current() {
        return current;
    }

    /** Stops the current process (SIGTERM, waits for it to exit). */
    public void stop() throws InterruptedException {
        current.close();
    }

    /**
     * Starts {@code build} on the current process's port, once that process has been
     * {@linkplain #stop stopped}, and waits until it answers {@code /health}.
     */
    public ServiceProcess startReplacement(Path build, List<String> jvmOptions, Duration readyTimeout)
            throws IOException, InterruptedException {
        generation++;
        current = ServiceProcess.start(build, jvmOptions, current.port(), settings,
                workDir.resolve("service-" + generation + ".log"), readyTimeout);
        return current;
    }
}
