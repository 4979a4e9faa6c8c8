package dev.atlas.patch.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Reads the class files of a build: a jar or a directory of classes. */
final class Builds {
    private Builds() {
    }

    /** Class bytes by internal name, module-info, package-info and multi-release versions left out. */
    static Map<String, byte[]> read(Path build) throws IOException {
        Map<String, byte[]> classes = new TreeMap<>();
        if (Files.isDirectory(build)) {
            try (Stream<Path> files = Files.walk(build)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    add(classes, build.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            }
        } else if (Files.isRegularFile(build)) {
            try (ZipFile zip = new ZipFile(build.toFile())) {
                for (ZipEntry e : Collections.list(zip.entries())) {
                    if (!e.isDirectory() && e.getName().endsWith(".class")) {
                        try (InputStream in = zip.getInputStream(e)) {
                            add(classes, e.getName(), in.readAllBytes());
                        }
                    }
                }
            } catch (java.util.zip.ZipException e) {
                throw new IOException(build + " is neither a class directory nor a jar: " + e.getMessage(), e);
            }
        } else {
            throw new NoSuchFileException(build.toString(), null, "expected a jar or a class directory");
        }
        return classes;
    }

    private static void add(Map<String, byte[]> classes, String path, byte[] bytes) {
        if (!path.endsWith(".class") || path.startsWith("META-INF/") || path.endsWith("module-info.class")
                || path.endsWith("package-info.class")) {
            return;
        }
        classes.put(path.substring(0, path.length() - ".class".length()), bytes);
    }
}
