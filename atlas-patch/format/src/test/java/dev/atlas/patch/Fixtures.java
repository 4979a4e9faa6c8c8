package dev.atlas.patch;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/** Compiles small fixture sources into temporary class directories. */
public final class Fixtures {
    private Fixtures() {
    }

    /**
     * Compiles {@code sources} (class name with dots -> source) into {@code out} with the
     * given javac options, and returns {@code out}.
     */
    public static Path compile(Path out, Map<String, String> sources, String... options) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, text) -> units.add(new SimpleJavaFileObject(
                URI.create("string:///" + name.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return text;
            }
        }));
        List<String> opts = new ArrayList<>(List.of("-d", out.toString(), "-proc:none"));
        opts.addAll(List.of(options));
        StringWriter diagnostics = new StringWriter();
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean ok = javac.getTask(diagnostics, null, null, opts, null, units).call();
        if (!ok) {
            throw new IllegalArgumentException("fixture does not compile:\n" + diagnostics);
        }
        return out;
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
