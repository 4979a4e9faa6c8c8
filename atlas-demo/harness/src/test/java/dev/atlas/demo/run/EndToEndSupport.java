package dev.atlas.demo.run;

import dev.atlas.cli.patch.it.TestAgentJar;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The builds for end-to-end tests: the classes directories of the service modules (compiled
 * by the reactor before this module's tests; see the pom), and the agents (HotSwap, Atlas
 * ({@link TestAgentJar}), patch trigger) packed into jars here, because {@code -javaagent} needs a jar and
 * {@code mvn test} does not package.
 */
final class EndToEndSupport {
    private EndToEndSupport() {
    }

    static Path demoRoot() {
        String root = System.getProperty("atlas.demo.root");
        if (root == null) {
            throw new IllegalStateException("system property atlas.demo.root is not set (the pom's surefire configuration sets it)");
        }
        return Path.of(root).toAbsolutePath().normalize();
    }

    static DemoArtifacts artifacts(Path tmp) throws IOException {
        Path root = demoRoot();
        return new DemoArtifacts(root.resolve("service-v1/target/classes"), root.resolve("service-v2/target/classes"),
                root.resolve("service-v2-hotswap/target/classes"),
                jar(tmp.resolve("hotswap-agent.jar"), Map.of("Premain-Class", "dev.atlas.demo.hotswap.HotSwapAgent",
                        "Can-Redefine-Classes", "true"), root.resolve("hotswap-agent/target/classes")),
                TestAgentJar.get(),
                jar(tmp.resolve("patch-trigger.jar"), Map.of("Premain-Class", "dev.atlas.demo.trigger.PatchTriggerAgent"),
                        root.resolve("patch-trigger/target/classes")));
    }

    /** A short scenario: 200 req/s, 1 s warm-up, 1 s steady, 2 s after the change. */
    static DemoOptions shortRun(Path work) {
        return new DemoOptions(200, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofMillis(250), Duration.ofSeconds(1), 16, ServiceSettings.DEFAULT, work, work.resolve("latency.png"));
    }

    private static Path jar(Path jar, Map<String, String> entries, Path classes) throws IOException {
        TestAgentJar.pack(jar, entries, List.of(classes));
        return jar;
    }
}
