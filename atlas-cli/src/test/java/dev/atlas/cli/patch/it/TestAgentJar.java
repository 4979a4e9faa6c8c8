package dev.atlas.cli.patch.it;

import dev.atlas.core.ViewSpace;
import dev.atlas.libc.Libc;
import dev.atlas.patch.agent.AtlasAgent;
import dev.atlas.patch.format.PatchFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * An agent jar like atlas-patch/agent/target/atlas-agent.jar, assembled from the test class
 * path (the classes of atlas-patch-agent, atlas-patch-format, atlas-core and atlas-libc,
 * directories or jars), so that the tests do not depend on the package phase of the agent module having run.
 */
public final class TestAgentJar {
    private static Path jar;

    private TestAgentJar() {}

    /** The agent jar (built once per test JVM). */
    public static synchronized Path get() {
        if (jar == null) {
            try {
                Path dir = Files.createTempDirectory("atlas-test-agent");
                dir.toFile().deleteOnExit();
                Path j = dir.resolve("atlas-agent.jar");
                build(j, List.of(location(AtlasAgent.class), location(PatchFile.class), location(ViewSpace.class),
                        location(Libc.class)));
                j.toFile().deleteOnExit();
                jar = j;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return jar;
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void build(Path out, List<Path> roots) throws IOException {
        pack(out, Map.of("Premain-Class", AtlasAgent.class.getName(), "Agent-Class", AtlasAgent.class.getName(),
                "Can-Retransform-Classes", "true", "Can-Redefine-Classes", "true"), roots);
    }

    /**
     * Writes a jar with these main manifest attributes and the files of {@code roots} (class
     * directories or jars; the first wins on a clash; their META-INF is left out).
     */
    public static void pack(Path out, Map<String, String> attributes, List<Path> roots) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.forEach(a::putValue);
        Set<String> seen = new HashSet<>();
        try (JarOutputStream jos = new JarOutputStream(Files.newOutputStream(out), mf)) {
            for (Path root : roots) {
                if (Files.isDirectory(root)) {
                    try (Stream<Path> s = Files.walk(root)) {
                        for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                            String name = root.relativize(p).toString().replace('\\', '/');
                            if (!name.startsWith("META-INF/") && seen.add(name)) {
                                jos.putNextEntry(new JarEntry(name));
                                Files.copy(p, jos);
                                jos.closeEntry();
                            }
                        }
                    }
                } else {
                    try (JarFile jf = new JarFile(root.toFile())) {
                        for (JarEntry e : java.util.Collections.list(jf.entries())) {
                            if (!e.isDirectory() && !e.getName().startsWith("META-INF/") && seen.add(e.getName())) {
                                jos.putNextEntry(new JarEntry(e.getName()));
                                try (var in = jf.getInputStream(e)) {
                                    in.transferTo(jos);
                                }
                                jos.closeEntry();
                            }
                        }
                    }
                }
            }
        }
    }
}
