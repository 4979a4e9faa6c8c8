package dev.atlas.ulp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real command-line programs from Maven Central (copied to target/programs by the build) run
 * with {@code java} and in the host on the same inputs, in the same directory: identical
 * stdout, stderr, exit status and files written.
 */
class RealProgramsDifferentialIT {
    static final Path PROGRAMS = Path.of(System.getProperty("atlas.programs.dir", "target/programs"));
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static ProgramHost host;

    @TempDir
    Path dir;

    /** The class loader of the last program run in the host. */
    private java.lang.ref.WeakReference<ClassLoader> lastLoader;
    private boolean lastLoaderTaken;

    @BeforeAll
    static void createHost() {
        host = ProgramHost.create();
    }

    @AfterAll
    static void closeHost() {
        host.close();
    }

    /** What a run left: status, output and every file of the directory with its content. */
    record Outcome(int status, String out, String err, Map<String, String> files) {
    }

    private Outcome viaJava(List<String> javaArgs, String stdin) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(javaArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env());
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        var out = Thread.ofVirtual().start(() -> { });
        byte[] o;
        byte[] e;
        try (var errReader = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var errBytes = errReader.submit(() -> p.getErrorStream().readAllBytes());
            o = p.getInputStream().readAllBytes();
            e = errBytes.get();
        }
        out.join();
        return new Outcome(p.waitFor(), new String(o, StandardCharsets.UTF_8), new String(e, StandardCharsets.UTF_8), files());
    }

    private Outcome viaHost(ProgramSpec spec, String stdin) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RunningProgram p = host.launch(spec.withCwd(dir).withEnv(env()),
                new ProgramIo(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err));
        ClassLoader loader = p.classLoader();   // null if it has ended already
        lastLoaderTaken = loader != null;
        lastLoader = new java.lang.ref.WeakReference<>(loader);
        int status = p.awaitExit();
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), files());
    }

    private static Map<String, String> env() {
        return Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "LANG", "C.UTF-8");
    }

    private Map<String, String> files() throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return files;
    }

    /** Runs both ways from the same inputs (the directory is reset in between) and compares. */
    private Outcome differential(Map<String, String> inputs, String jarOrNull, String cpMain, List<String> args, String stdin)
            throws Exception {
        clear();
        writeInputs(inputs);
        List<String> javaArgs = new ArrayList<>();
        ProgramSpec spec;
        if (jarOrNull != null) {
            javaArgs.addAll(List.of("-jar", PROGRAMS.resolve(jarOrNull).toString()));
            spec = ProgramSpec.ofJar(PROGRAMS.resolve(jarOrNull), args);
        } else {
            String[] cm = cpMain.split(" ");
            javaArgs.addAll(List.of("-cp", PROGRAMS.resolve(cm[0]).toString(), cm[1]));
            spec = ProgramSpec.ofClassPath(List.of(PROGRAMS.resolve(cm[0])), cm[1], args);
        }
        javaArgs.addAll(args);
        Outcome java = viaJava(javaArgs, stdin);
        clear();
        writeInputs(inputs);
        Outcome atlas = viaHost(spec, stdin);
        assertEquals(java, atlas, "java vs atlas host for " + javaArgs);
        return atlas;
    }

    private void writeInputs(Map<String, String> inputs) throws IOException {
        for (Map.Entry<String, String> e : inputs.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue());
        }
    }

    private void clear() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void eclipseCompilerWritesTheSameClassFilesAndDiagnostics() throws Exception {
        Map<String, String> ok = Map.of("src/p/A.java", "package p;\npublic class A { public static void main(String[] a) { System.out.println(\"hi\"); } }\n");
        Outcome good = differential(ok, "ecj.jar", null, List.of("-17", "-proc:none", "-d", "out", "src/p/A.java"), "");
        assertTrue(good.files().containsKey("out/p/A.class"), good.files().toString());
        Map<String, String> bad = Map.of("src/p/B.java", "package p;\npublic class B { int x() { return 1 } }\n");
        Outcome failed = differential(bad, "ecj.jar", null, List.of("-17", "-proc:none", "-d", "out", "src/p/B.java"), "");
        assertEquals(255, failed.status());
        assertTrue(failed.err().contains("Syntax error"), failed.err());
        // ecj's static cached pool ("Compiler Processing Task") is never shut down by ecj: the host
        // shuts it down at the program's end, or an idle worker would keep ecj's loader for 60 s
        assertTrue(lastLoaderTaken, "ecj ended before its loader was taken");
        HostFixture.assertCollected(lastLoader);
    }

    /**
     * The output directory exists beforehand: for a missing one javacc warns naming it by
     * {@code File.getPath()}, which in the host shows the absolute path (docs/ulp.md, Limits).
     */
    @Test
    void javaccGeneratesTheSameParser() throws Exception {
        String grammar = """
                PARSER_BEGIN(Calc)
                public class Calc { }
                PARSER_END(Calc)
                SKIP : { " " | "\\n" }
                TOKEN : { < NUM : (["0"-"9"])+ > }
                void Start() : {} { <NUM> ( "+" <NUM> )* <EOF> }
                """;
        Outcome o = differential(Map.of("g/Calc.jj", grammar, "gen/.keep", ""), null, "javacc.jar javacc",
                List.of("-OUTPUT_DIRECTORY=gen", "g/Calc.jj"), "");
        assertEquals(0, o.status(), o.out() + o.err());
        assertTrue(o.files().containsKey("gen/Calc.java"), o.files().toString());
    }

    @Test
    void rhinoRunsAScriptFromStdinAndExitsThroughReflection() throws Exception {
        Outcome o = differential(Map.of(), "rhino.jar", null, List.of(),
                "var s = 0; for (var i = 1; i <= 10; i++) s += i; print('sum=' + s);\njava.lang.System.exit(3);\n");
        assertEquals(3, o.status());
        assertTrue(o.out().contains("sum=55"), o.out());
    }

    @Test
    void plantumlRendersTheSameTextDiagram() throws Exception {
        Outcome o = differential(Map.of("d/seq.puml", "@startuml\nAlice -> Bob: hello\nBob --> Alice: ok\n@enduml\n"),
                "plantuml.jar", null, List.of("-ttxt", "d/seq.puml"), "");
        assertTrue(o.files().containsKey("d/seq.atxt"), o.files().toString());
    }

    /** BeanShell constructs the {@code File} reflectively ({@code Constructor.newInstance}). */
    @Test
    void beanshellRunsAScriptFileWithArgumentsAndAnExitStatus() throws Exception {
        String script = "print(\"args=\" + bsh.args.length);\nx = new java.io.File(\"made.txt\");\n"
                + "w = new java.io.FileWriter(x); w.write(\"from bsh\"); w.close();\nSystem.exit(4);\n";
        Outcome o = differential(Map.of("s.bsh", script), null, "bsh.jar bsh.Interpreter", List.of("s.bsh", "a", "b"), "");
        assertEquals(4, o.status(), o.err());
        assertTrue(o.files().containsKey("made.txt"), o.files().toString());
    }
}
