package dev.atlas.it.servers;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the build hands to the tests (failsafe's system properties): the agent jar, the two
 * application builds, the servers' class path, a work directory.
 */
final class ItEnvironment {
    private ItEnvironment() {}

    static Path agentJar() {
        return existing("atlas.agent.jar");
    }

    static Path appV1() {
        return existing("it.app.v1");
    }

    static Path appV2() {
        return existing("it.app.v2");
    }

    static String appClasspath() {
        return required("it.app.classpath");
    }

    static Path workDir() {
        try {
            return Files.createDirectories(Path.of(required("it.work")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path existing(String property) {
        Path p = Path.of(required(property));
        if (!Files.exists(p)) {
            throw new IllegalStateException("system property " + property + "=" + p + ": no such file; run the tests "
                    + "through Maven (./mvnw -pl atlas-it-servers -am verify)");
        }
        return p;
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set; run the tests through "
                    + "Maven (./mvnw -pl atlas-it-servers -am verify)");
        }
        return v;
    }
}
