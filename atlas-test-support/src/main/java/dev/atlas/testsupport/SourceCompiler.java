package dev.atlas.testsupport;

import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles Java sources held in strings, for tests: into class bytes in memory, or into a
 * directory. The one copy of the JDK compiler plumbing the modules' tests share.
 *
 * <pre>{@code
 * Map<String, byte[]> classes = SourceCompiler.compile(Map.of("demo.Greeter", "package demo; ..."));
 * Path dir = SourceCompiler.compileTo(tmp.resolve("v1"), Map.of("demo/Greeter.java", text), "--release", "25");
 * }</pre>
 *
 * <p>A source is named by its class ({@code "demo.Greeter"}) or by its path
 * ({@code "demo/Greeter.java"}). A compilation error throws {@link IllegalArgumentException}
 * with javac's diagnostics.
 *
 * <p>Threading: stateless; any thread (each call runs its own javac task).
 */
public final class SourceCompiler {
    private SourceCompiler() {}

    /** {@link #compile(Map, Map)} with nothing beyond the test class path. */
    public static Map<String, byte[]> compile(Map<String, String> sources) {
        return compile(sources, Map.of());
    }

    /**
     * Compiles {@code sources} ({@code --release 25 -g}, against the test class path and
     * {@code classpath}) into class bytes.
     *
     * @param sources   class name or source path to source text
     * @param classpath extra class bytes the sources may refer to (internal name to bytes), may be empty
     * @return internal name to class bytes, in the order javac wrote them
     */
    public static Map<String, byte[]> compile(Map<String, String> sources, Map<String, byte[]> classpath) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> out = new LinkedHashMap<>();
        File cpDir = classpath.isEmpty() ? null : writeClasspath(classpath);
        JavaFileManager fm = new ForwardingJavaFileManager<>(javac.getStandardFileManager(diagnostics, null, null)) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                       FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + ".class"), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        ByteArrayOutputStream b = new ByteArrayOutputStream();
                        out.put(className.replace('.', '/'), b);
                        return b;
                    }
                };
            }
        };
        List<String> options = new ArrayList<>(List.of("--release", "25", "-g"));
        String cp = System.getProperty("java.class.path") + (cpDir == null ? "" : File.pathSeparator + cpDir);
        options.addAll(List.of("-classpath", cp));
        boolean ok = javac.getTask(null, fm, diagnostics, options, null, units(sources)).call();
        if (!ok) {
            throw new IllegalArgumentException("compilation failed: " + diagnostics.getDiagnostics());
        }
        Map<String, byte[]> result = new LinkedHashMap<>();
        out.forEach((k, v) -> result.put(k, v.toByteArray()));
        return result;
    }

    /**
     * Compiles {@code sources} into the directory {@code out} (created if missing) with the
     * given javac options (no class path option: the test class path).
     *
     * @return {@code out}
     */
    public static Path compileTo(Path out, Map<String, String> sources, String... options) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> opts = new ArrayList<>(List.of("-d", out.toString()));
        opts.addAll(List.of(options));
        try {
            Files.createDirectories(out);
            try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, null)) {
                boolean ok = javac.getTask(null, fm, diagnostics, opts, null, units(sources)).call();
                if (!ok) {
                    throw new IllegalArgumentException("sources for " + out + " do not compile: "
                            + diagnostics.getDiagnostics());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<JavaFileObject> units(Map<String, String> sources) {
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, text) -> {
            String path = name.endsWith(".java") ? name : name.replace('.', '/') + ".java";
            units.add(new SimpleJavaFileObject(URI.create("string:///" + path), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return text;
                }
            });
        });
        return units;
    }

    private static File writeClasspath(Map<String, byte[]> classes) {
        try {
            File dir = Files.createTempDirectory("atlas-cp").toFile();
            dir.deleteOnExit();
            for (Map.Entry<String, byte[]> e : classes.entrySet()) {
                File f = new File(dir, e.getKey() + ".class");
                f.getParentFile().mkdirs();
                Files.write(f.toPath(), e.getValue());
                f.deleteOnExit();
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
