package dev.atlas.patch;

import dev.atlas.testsupport.SourceCompiler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Compiles small fixture sources into temporary class directories. */
public final class Fixtures {
    private Fixtures() {
    }

    /**
     * Compiles {@code sources} (class name with dots -> source) into {@code out} with the
     * given javac options, and returns {@code out}.
     */
    public static Path compile(Path out, Map<String, String> sources, String... options) {
        List<String> opts = new ArrayList<>(List.of("-proc:none"));
        opts.addAll(List.of(options));
        return SourceCompiler.compileTo(out, sources, opts.toArray(new String[0]));
    }

    /** The class files under a directory, by internal name. */
    public static Map<String, byte[]> classes(Path dir) {
        Map<String, byte[]> result = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                result.put(rel.substring(0, rel.length() - ".class".length()), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }
}
