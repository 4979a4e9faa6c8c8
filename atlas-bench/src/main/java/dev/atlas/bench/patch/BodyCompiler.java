package dev.atlas.bench.patch;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Compiles one Java source file with {@code javax.tools}, against the given class files only,
 * and returns the bytes of the class it declares: how the benchmark makes a patch body class
 * without the patch builder.
 *
 * {@snippet class=dev.atlas.bench.snippets.BenchSnippets region=body-compiler}
 */
public final class BodyCompiler {
    private BodyCompiler() {}

    /**
     * @param binaryName the class declared by {@code source} (its file is named after the simple name)
     * @param classpath  class files the source refers to, by binary name
     * @throws IllegalStateException with javac's diagnostics if the source does not compile
     */
    public static byte[] compile(String binaryName, String source, Map<String, byte[]> classpath) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler (javax.tools): run on a JDK, not a JRE");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("atlas-bench-body");
            Path cp = Files.createDirectory(dir.resolve("cp"));
            Path out = Files.createDirectory(dir.resolve("out"));
            for (Map.Entry<String, byte[]> e : classpath.entrySet()) {
                Path f = cp.resolve(e.getKey().replace('.', '/') + ".class");
                Files.createDirectories(f.getParent());
                Files.write(f, e.getValue());
            }
            String simple = binaryName.substring(binaryName.lastIndexOf('.') + 1);
            Path src = dir.resolve(simple + ".java");
            Files.writeString(src, source);
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
                List<String> options = List.of("-classpath", cp.toString(), "-d", out.toString(),
                        "-proc:none", "-implicit:none", "-Xlint:all", "-Werror");
                boolean ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(src)).call();
                if (!ok) {
                    throw new IllegalStateException("body class " + binaryName + " does not compile: "
                            + diagnostics.getDiagnostics());
                }
            }
            return Files.readAllBytes(out.resolve(binaryName.replace('.', '/') + ".class"));
        } catch (IOException e) {
            throw new UncheckedIOException("compiling " + binaryName, e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
