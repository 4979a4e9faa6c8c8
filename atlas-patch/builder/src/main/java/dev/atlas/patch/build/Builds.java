package dev.atlas.patch.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Reads the class files (and the resources) of a build: a jar or a directory of classes. */
final class Builds {
    private Builds() {
    }

    /** Class bytes by internal name, module-info, package-info and multi-release versions left out. */
    static Map<String, byte[]> read(Path build) throws IOException {
        Map<String, byte[]> classes = new TreeMap<>();
        entries(build, n -> n.endsWith(".class"), (n, b) -> add(classes, n, b));
        return classes;
    }

    /**
     * Paths of the resources that {@code newBuild} adds, changes or removes: every file other
     * than a class file, META-INF's included (service registrations, configuration), except
     * build metadata no code reads as its configuration ({@link #isBuildMetadata}).
     */
    static Set<String> changedResources(Path oldBuild, Path newBuild) throws IOException {
        Map<String, byte[]> old = new TreeMap<>();
        entries(oldBuild, Builds::isResource, old::put);
        Set<String> changed = new TreeSet<>();
        entries(newBuild, Builds::isResource, (n, b) -> {
            if (!Arrays.equals(old.remove(n), b)) {
                changed.add(n);
            }
        });
        changed.addAll(old.keySet());   // removed
        return changed;
    }

    private static boolean isResource(String path) {
        return !path.endsWith(".class") && !isBuildMetadata(path);
    }

    /**
     * The jar's manifest, signature files, Maven's descriptors and the legal texts under
     * META-INF: they change with every release and are read by tools, not as the
     * release's configuration. Everything else under META-INF ({@code services/},
     * {@code versions/} resources, framework files) is a resource.
     */
    static boolean isBuildMetadata(String path) {
        if (!path.startsWith("META-INF/")) {
            return false;
        }
        String rest = path.substring("META-INF/".length());
        if (rest.startsWith("maven/") || rest.equals("MANIFEST.MF") || rest.equals("INDEX.LIST")) {
            return true;
        }
        if (rest.indexOf('/') >= 0) {
            return false;
        }
        String upper = rest.toUpperCase(java.util.Locale.ROOT);
        return upper.endsWith(".SF") || upper.endsWith(".RSA") || upper.endsWith(".DSA") || upper.endsWith(".EC")
                || upper.startsWith("LICENSE") || upper.startsWith("NOTICE") || upper.startsWith("DEPENDENCIES");
    }

    private static void entries(Path build, Predicate<String> wanted, BiConsumer<String, byte[]> to) throws IOException {
        if (Files.isDirectory(build)) {
            try (Stream<Path> files = Files.walk(build)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    String n = build.relativize(p).toString().replace('\\', '/');
                    if (wanted.test(n)) {
                        to.accept(n, Files.readAllBytes(p));
                    }
                }
            }
        } else if (Files.isRegularFile(build)) {
            try (ZipFile zip = new ZipFile(build.toFile())) {
                for (ZipEntry e : Collections.list(zip.entries())) {
                    if (!e.isDirectory() && wanted.test(e.getName())) {
                        try (InputStream in = zip.getInputStream(e)) {
                            to.accept(e.getName(), in.readAllBytes());
                        }
                    }
                }
            } catch (java.util.zip.ZipException e) {
                throw new IOException(build + " is neither a class directory nor a jar: " + e.getMessage(), e);
            }
        } else {
            throw new NoSuchFileException(build.toString(), null, "expected a jar or a class directory");
        }
    }

    private static void add(Map<String, byte[]> classes, String path, byte[] bytes) {
        if (!path.endsWith(".class") || path.startsWith("META-INF/") || path.endsWith("module-info.class")
                || path.endsWith("package-info.class")) {
            return;
        }
        classes.put(path.substring(0, path.length() - ".class".length()), bytes);
    }
}
