package dev.atlas.cli.patch;

import dev.atlas.cli.AtlasCommand;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds {@code atlas-agent.jar}, the jar the CLI loads into a target JVM: the
 * {@code --agent-jar} option, else the system property {@value #PROPERTY} (the {@code ./atlas}
 * launcher sets it to {@code atlas-patch/target/atlas-agent.jar}), else the environment
 * variable {@value #ENV}, else next to the CLI's own jar ({@code atlas-agent.jar} or
 * {@code lib/atlas-agent.jar}).
 */
final class AgentJar {
    static final String PROPERTY = "atlas.agent.jar";
    static final String ENV = "ATLAS_AGENT_JAR";

    private AgentJar() {}

    /** @throws CliFailure naming every place looked at */
    static Path locate(Path option) throws CliFailure {
        if (option != null) {
            return existing(option, "--agent-jar");
        }
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return existing(Path.of(prop), "-D" + PROPERTY);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return existing(Path.of(env), "$" + ENV);
        }
        List<Path> tried = new ArrayList<>();
        Path home = cliJarDirectory();
        if (home != null) {
            for (Path p : List.of(home.resolve("atlas-agent.jar"), home.resolve("lib").resolve("atlas-agent.jar"))) {
                if (Files.isRegularFile(p)) {
                    return p.toAbsolutePath();
                }
                tried.add(p);
            }
        }
        throw new CliFailure("cannot find atlas-agent.jar (looked at " + tried + "); build it with "
                + "'./mvnw -pl atlas-patch/agent -am package -DskipTests' and pass --agent-jar <path> (or -D" + PROPERTY
                + "=<path>, or $" + ENV + ")");
    }

    private static Path existing(Path p, String source) throws CliFailure {
        if (!Files.isRegularFile(p)) {
            throw new CliFailure("agent jar " + p + " (from " + source + ") does not exist or is not a file");
        }
        return p.toAbsolutePath();
    }

    private static Path cliJarDirectory() {
        try {
            CodeSource cs = AtlasCommand.class.getProtectionDomain().getCodeSource();
            if (cs == null) {
                return null;
            }
            Path p = Path.of(cs.getLocation().toURI());
            return Files.isRegularFile(p) ? p.getParent() : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
