package dev.atlas.demo.hotswap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** The class files of one build (a jar or a classes directory), by binary class name. */
public final class ClassFiles {
    private ClassFiles() {
    }

    /**
     * Reads every {@code .class} file of {@code build} except {@code module-info} and
     * {@code package-info}; keys are binary names ({@code dev.atlas.demo.service.Pricing}).
     *
     * @throws IllegalArgumentException if {@code build} is neither a jar file nor a directory
     */
    public static Map<String, byte[]> read(Path build) {
        try {
            if (Files.isDirectory(build)) {
                return fromDirectory(build);
            }
            if (Files.isRegularFile(build)) {
                return fromJar(build);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the classes of " + build, e);
        }
        throw new IllegalArgumentException("build '" + build + "' does not exist; expected a jar file or a classes directory");
    }

    private static Map<String, byte[]> fromDirectory(Path dir) throws IOException {
        Map<String, byte[]> classes = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String relative = dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                String name = binaryName(relative);
                if (name != null) {
                    classes.put(name, Files.readAllBytes(file));
                }
            }
        }
        return classes;
    }

    private static Map<String, byte[]> fromJar(Path jar) throws IOException {
        Map<String, byte[]> classes = new TreeMap<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : (Iterable<JarEntry>) file.stream()::iterator) {
                String name = binaryName(entry.getName());
                if (name != null && !entry.isDirectory()) {
                    classes.put(name, file.getInputStream(entry).readAllBytes());
                }
            }
        }
        return classes;
    }

    private static String binaryName(String path) {
        if (!path.endsWith(".class") || path.startsWith("META-INF/") || path.endsWith("module-info.class")
                || path.endsWith("package-info.class")) {
            return null;
        }
        return path.substring(0, path.length() - ".class".length()).replace('/', '.');
    }
}
