package dev.atlas.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * What the live ITs on real releases share: two released jars of one library with their test class
 * paths, the CLI that builds and applies the patch, and probe jars compiled against a release.
 *
 * @param old the running (vulnerable) release
 * @param fixed the release the patch is built to
 * @param cli the Atlas CLI and agent of this checkout
 */
record LiveReleases(ReleaseClasspath old, ReleaseClasspath fixed, CliDriver cli) {

    /** Resolves the two releases from Maven Central (cached under {@code target/corpus/releases}) and this checkout's CLI. */
    static LiveReleases of(String group, String artifact, String oldVersion, String newVersion)
            throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("atlas.root", "..")).toAbsolutePath().normalize();
        ReleaseResolver resolver = new ReleaseResolver(root, root.resolve("target/corpus/releases"));
        return new LiveReleases(resolver.resolve(group, artifact, oldVersion), resolver.resolve(group, artifact, newVersion),
                new CliDriver(root.resolve("atlas-cli/target/atlas-cli.jar"), CorpusMain.agentJar(root).orElseThrow()));
    }

    /** The running release's jar after its test class path: what probes compiled against the old release need. */
    List<Path> oldCompilePath() {
        List<Path> cp = new ArrayList<>(old.testPath());
        cp.add(old.jar());
        return cp;
    }

    /**
     * Compiles {@code sources} (pairs of simple name and source text, package {@code probe}) against
     * {@code classpath} into {@code dir/<dir name>.jar}.
     */
    static Path probeJar(Path dir, List<Path> classpath, String... sources) throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", ReleaseClasspath.join(classpath)));
        for (int i = 0; i < sources.length; i += 2) {
            Path src = dir.resolve("src/probe/" + sources[i] + ".java");
            Files.createDirectories(src.getParent());
            Files.writeString(src, sources[i + 1]);
            args.add(src.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "the probes compile against " + classpath);
        Path jar = dir.resolve(dir.getFileName() + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
        }
        return jar;
    }
}
