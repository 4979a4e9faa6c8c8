package dev.atlas.demo.command;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * The Atlas repository whose builds the demo runs: {@code $ATLAS_ROOT} (set by the
 * {@code ./atlas} launcher), else the first directory above this class's jar or classes
 * directory that holds {@code atlas-demo/} and a {@code pom.xml}
 * ({@code atlas-demo/harness/target/atlas-demo.jar} → the repository), else the working directory.
 */
final class RepositoryRoot {
    static final String ENV = "ATLAS_ROOT";

    private RepositoryRoot() {
    }

    static Path locate() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        for (Path p = codeLocation(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("atlas-demo")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    private static Path codeLocation() {
        try {
            CodeSource cs = RepositoryRoot.class.getProtectionDomain().getCodeSource();
            return cs == null ? null : Path.of(cs.getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
