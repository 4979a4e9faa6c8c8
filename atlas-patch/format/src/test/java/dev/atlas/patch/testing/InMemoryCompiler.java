package dev.atlas.patch.testing;

import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Compiles Java sources held in strings into class bytes (internal name to bytes), for tests. */
public final class InMemoryCompiler {
    private InMemoryCompiler() {}

    /**
     * @param sources   fully qualified class name to source text
     * @param classpath extra class bytes the sources may refer to (internal name to bytes), may be empty
     */
    public static Map<String, byte[]> compile(Map<String, String> sources, Map<String, byte[]> classpath) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> out = new LinkedHashMap<>();
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, text) -> units.add(new SimpleJavaFileObject(
                URI.create("string:///" + name.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return text;
            }
        }));
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
        boolean ok = javac.getTask(null, fm, diagnostics, options, null, units).call();
        if (!ok) {
            throw new IllegalArgumentException("compilation failed: " + diagnostics.getDiagnostics());
        }
        Map<String, byte[]> result = new LinkedHashMap<>();
        out.forEach((k, v) -> result.put(k, v.toByteArray()));
        return result;
    }

    public static Map<String, byte[]> compile(Map<String, String> sources) {
        return compile(sources, Map.of());
    }

    private static File writeClasspath(Map<String, byte[]> classes) {
        try {
            File dir = java.nio.file.Files.createTempDirectory("atlas-cp").toFile();
            dir.deleteOnExit();
            for (Map.Entry<String, byte[]> e : classes.entrySet()) {
                File f = new File(dir, e.getKey() + ".class");
                f.getParentFile().mkdirs();
                java.nio.file.Files.write(f.toPath(), e.getValue());
                f.deleteOnExit();
            }
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
