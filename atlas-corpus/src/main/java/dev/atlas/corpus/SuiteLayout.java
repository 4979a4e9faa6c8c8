package dev.atlas.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The working directory a suite starts in, laid out as the release's own Maven build had it:
 * its test resources (every entry of its {@code tests} jar that is not a class and not under
 * {@code META-INF/}) both in {@code target/test-classes/} and in {@code src/test/resources/}.
 * Suites that open their test files by path ({@code new File("src/test/resources/...")},
 * {@code new File("target/test-classes", name)}) find them, and those that turn a class-path
 * URL into a {@code File} ({@code new File(url.toURI())}) get a {@code file:} URL, because
 * {@link #testClasses} is on the child JVM's class path ahead of everything else, as Surefire
 * puts {@code target/test-classes} first.
 *
 * <p>Only resources are laid out here, never classes under their own names: the directory is
 * on the class path of a JVM that runs two releases' suites one after the other, and a test
 * class the application class loader took from it for the first suite would stay defined for
 * the second. The runner in the child writes the old release's test classes into it renamed
 * ({@code dev.atlas.corpus.child.RenamedSuite}: {@code p.FooTest_AtlasRun1}), names no other
 * suite uses, so that the application class loader defines them beside the library.
 *
 * <p>Not thread-safe (one harness thread lays out one child's directory between its suites).
 */
final class SuiteLayout {
    private SuiteLayout() {
    }

    /** {@code target/test-classes} of {@code work}: the directory the child's class path starts with. */
    static Path testClasses(Path work) {
        return work.resolve("target").resolve("test-classes");
    }

    /** {@code src/test/resources} of {@code work}. */
    static Path testResources(Path work) {
        return work.resolve("src").resolve("test").resolve("resources");
    }

    /**
     * Writes the test resources of {@code testJars} into {@link #testClasses} and
     * {@link #testResources} of {@code work} (created if needed; a later jar's entry replaces an
     * earlier one's of the same name).
     *
     * @return how many resources were laid out (per directory)
     * @throws IOException if a jar cannot be read, or names an entry outside the directory
     *                     ({@code ../x}), which is then not written
     */
    static int layOut(Path work, List<Path> testJars) throws IOException {
        Path classes = testClasses(work);
        Path resources = testResources(work);
        Files.createDirectories(classes);
        Files.createDirectories(resources);
        int n = 0;
        for (Path jar : testJars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                Enumeration<JarEntry> entries = file.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    String name = e.getName();
                    if (e.isDirectory() || name.endsWith(".class") || name.startsWith("META-INF/")) {
                        continue;
                    }
                    Path first = inside(classes, name, jar);
                    Path second = inside(resources, name, jar);
                    Files.createDirectories(first.getParent());
                    try (InputStream in = file.getInputStream(e)) {
                        Files.copy(in, first, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.createDirectories(second.getParent());
                    Files.copy(first, second, StandardCopyOption.REPLACE_EXISTING);
                    n++;
                }
            }
        }
        return n;
    }

    private static Path inside(Path dir, String entry, Path jar) throws IOException {
        Path p = dir.resolve(entry).normalize();
        if (!p.startsWith(dir) || p.equals(dir)) {
            throw new IOException(jar + ": entry '" + entry + "' points outside " + dir + "; the suite's resources were not laid out");
        }
        return p;
    }
}
