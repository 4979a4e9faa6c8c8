package dev.atlas.demo.run;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The builds for end-to-end tests: the classes directories of the service modules (compiled
 * by the reactor before this module's tests; see the pom), and the HotSwap agent packed into a
 * jar here, because {@code -javaagent} needs a jar and {@code mvn test} does not package.
 */
final class EndToEndSupport {
    private EndToEndSupport() {
    }

    static Path demoRoot() {
        String root = System.getProperty("atlas.demo.root");
        if (root == null) {
            throw new IllegalStateException("system property atlas.demo.root is not set (the pom's surefire configuration sets it)");
        }
        return Path.of(root);
    }

    static DemoArtifacts artifacts(Path tmp) throws IOException {
        Path root = demoRoot();
        return new DemoArtifacts(root.resolve("service-v1/target/classes"), root.resolve("service-v2/target/classes"),
                root.resolve("service-v2-hotswap/target/classes"),
                agentJar(root.resolve("hotswap-agent/target/classes"), tmp.resolve("hotswap-agent.jar")));
    }

    /** A short scenario: 200 req/s, 1 s warm-up, 1 s steady, 2 s after the change. */
    static DemoOptions shortRun(Path work) {
        return new DemoOptions(200, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofMillis(250), Duration.ofSeconds(1), 16, ServiceSettings.DEFAULT, work, work.resolve("latency.png"));
    }

    private static Path agentJar(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Premain-Class", "dev.atlas.demo.hotswap.HotSwapAgent");
        main.putValue("Can-Redefine-Classes", "true");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
        return jar;
    }
}
