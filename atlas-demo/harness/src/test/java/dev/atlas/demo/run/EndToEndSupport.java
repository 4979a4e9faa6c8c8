package dev.atlas.demo.run;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The builds for end-to-end tests: the classes directories of the service modules (compiled
 * by the reactor before this module's tests; see the pom), and the agents (HotSwap, Atlas,
 * patch trigger) packed into jars here, because {@code -javaagent} needs a jar and
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
        Path repo = root.getParent();
        return new DemoArtifacts(root.resolve("service-v1/target/classes"), root.resolve("service-v2/target/classes"),
                root.resolve("service-v2-hotswap/target/classes"),
                jar(tmp.resolve("hotswap-agent.jar"), Map.of("Premain-Class", "dev.atlas.demo.hotswap.HotSwapAgent",
                        "Can-Redefine-Classes", "true"), root.resolve("hotswap-agent/target/classes")),
                jar(tmp.resolve("atlas-agent.jar"), Map.of("Premain-Class", "dev.atlas.patch.agent.AtlasAgent",
                        "Can-Redefine-Classes", "true", "Can-Retransform-Classes", "true"),
                        repo.resolve("atlas-patch/target/classes"), repo.resolve("atlas-core/target/classes")),
                jar(tmp.resolve("patch-trigger.jar"), Map.of("Premain-Class", "dev.atlas.demo.trigger.PatchTriggerAgent"),
                        root.resolve("patch-trigger/target/classes")));
    }

    /** A short scenario: 200 req/s, 1 s warm-up, 1 s steady, 2 s after the change. */
    static DemoOptions shortRun(Path work) {
        return new DemoOptions(200, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofMillis(250), Duration.ofSeconds(1), 16, ServiceSettings.DEFAULT, work, work.resolve("latency.png"));
    }

    /** An agent jar holding the files of {@code classDirs} (the first wins on a clash) and these manifest entries. */
    private static Path jar(Path jar, Map<String, String> entries, Path... classDirs) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        entries.forEach(main::putValue);
        Set<String> written = new HashSet<>();
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Path classes : classDirs) {
                try (Stream<Path> walk = Files.walk(classes)) {
                    for (Path p : walk.filter(Files::isRegularFile).toList()) {
                        String name = classes.relativize(p).toString().replace('\\', '/');
                        if (!name.startsWith("META-INF/") && written.add(name)) {
                            out.putNextEntry(new JarEntry(name));
                            out.write(Files.readAllBytes(p));
                            out.closeEntry();
                        }
                    }
                }
            }
        }
        return jar;
    }
}
