package dev.atlas.corpus;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One release as the corpus runs it: its jar, its published tests jar and the rest of its
 * test class path (its own dependencies, test libraries, the JUnit Platform), all in the
 * local Maven repository.
 *
 * @param jar the release itself
 * @param tests the release's {@code tests} jar
 * @param testPath everything else its tests need, in Maven's order
 */
record ReleaseClasspath(Path jar, Path tests, List<Path> testPath) {
    ReleaseClasspath {
        testPath = List.copyOf(testPath);
    }

    /** The entries of {@code testPath} whose artifact (group and name) {@code other} lacks. */
    List<Path> missingFrom(ReleaseClasspath other) {
        List<String> have = new ArrayList<>();
        for (Path p : other.testPath) {
            have.add(artifactKey(p));
        }
        List<Path> missing = new ArrayList<>();
        for (Path p : testPath) {
            if (!have.contains(artifactKey(p))) {
                missing.add(p);
            }
        }
        return missing;
    }

    /** The library's own runtime dependencies would be in here too; {@code repo/g/r/o/u/p/artifact/version/file}. */
    static String artifactKey(Path jarInRepository) {
        Path versionDir = jarInRepository.getParent();
        Path artifactDir = versionDir == null ? null : versionDir.getParent();
        return artifactDir == null ? jarInRepository.toString() : artifactDir.toString();
    }

    static String join(List<Path> paths) {
        List<String> s = new ArrayList<>();
        for (Path p : paths) {
            s.add(p.toString());
        }
        return s.isEmpty() ? "-" : String.join(File.pathSeparator, s);
    }

    void write(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("jar\t" + jar);
        lines.add("tests\t" + tests);
        for (Path p : testPath) {
            lines.add("dep\t" + p);
        }
        Files.write(file, lines);
    }

    static ReleaseClasspath read(Path file) throws IOException {
        Path jar = null;
        Path tests = null;
        List<Path> deps = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t", 2);
            switch (f[0]) {
                case "jar" -> jar = Path.of(f[1]);
                case "tests" -> tests = Path.of(f[1]);
                case "dep" -> deps.add(Path.of(f[1]));
                default -> throw new IOException(file + ": unexpected line '" + line + "'");
            }
        }
        if (jar == null || tests == null) {
            throw new IOException(file + ": no jar or tests line (delete it to resolve again)");
        }
        return new ReleaseClasspath(jar, tests, deps);
    }
}
