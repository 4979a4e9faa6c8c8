package dev.atlas.ulp;

import dev.atlas.cli.AtlasCommand;
import dev.atlas.core.ViewSpace;
import dev.atlas.ulp.client.HostStarter;
import dev.atlas.ulp.client.JavaClient;
import dev.atlas.ulp.daemon.HostPaths;
import dev.atlas.testsupport.Await;
import dev.atlas.testsupport.SourceCompiler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live patching of single programs of a host, as a user does it: two programs of the same jar
 * run in one host process; {@code atlas patch build} makes a patch from two builds of the
 * program; {@code atlas patch apply <host-pid> --program <id>} changes the code of the first
 * program only, while the second keeps answering with the old code; the same patch is then
 * applied to the second program too; {@code atlas patch rollback --program} takes it out of
 * the first only (the second keeps it), then of the second. {@code atlas host status} and
 * {@code atlas status} show each program's patches. A patch for a program that does not
 * exist, the same patch twice on one program, and a rollback of a program without a patch are
 * refused and change nothing. A program that ends while patched has its patch rolled back by
 * the host, and its class loader is collected.
 */
class ProgramPatchEndToEndIT {
    private static final Pattern HOST_PID = Pattern.compile("host pid (\\d+)");
    private static final String MAIN = """
            package demo.greet;
            public final class Main {
                public static void main(String[] args) throws Exception {
                    var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
                    System.out.println("ready " + args[0]);
                    String line;
                    while ((line = in.readLine()) != null && !line.equals("quit")) {
                        System.out.println(args[0] + ": " + new Greeter(line).greeting());
                    }
                }
            }
            """;
    private static final String GREETER = """
            package demo.greet;
            public final class Greeter {
                private final String who;
                public Greeter(String who) { this.who = who; }
                public String greeting() { return %s; }
            }
            """;

    @TempDir
    Path tmp;
    private HostPaths paths;

    @AfterEach
    void stopHost() throws Exception {
        if (paths != null && Files.exists(paths.socket())) {
            client().call(List.of("host", "stop"), Map.of(), tmp.toString(), InputStream.nullInputStream(),
                    new ByteArrayOutputStream(), new ByteArrayOutputStream());
        }
    }

    @Test
    void oneProgramIsPatchedAndRolledBackWhileTheOtherOfTheSameJarKeepsItsCode() throws Exception {
        Path v1 = compile("v1", GREETER.formatted("\"hello \" + who"));
        Path v2 = compile("v2", GREETER.formatted("\"HELLO \" + who.toUpperCase() + \"!\""));
        Path jar = jar(v1, tmp.resolve("greet.jar"));
        Path patch = tmp.resolve("greet.atlaspatch");
        Cli built = cli("patch", "build", v1.toString(), v2.toString(), "-o", patch.toString());
        assertEquals(0, built.code(), built.toString());

        paths = new HostPaths(tmp.resolve("host"));
        Program a = Program.start(client(), jar, "A", tmp);
        a.expect("ready A");
        Program b = Program.start(client(), jar, "B", tmp);
        b.expect("ready B");
        String status = hostStatus();
        String hostPid = group(HOST_PID, status);
        String idA = group(Pattern.compile("(?m)^\\s*(\\d+)\\s.*greet\\.jar A$"), status);
        String idB = group(Pattern.compile("(?m)^\\s*(\\d+)\\s.*greet\\.jar B$"), status);
        a.say("x", "A: hello x");
        b.say("x", "B: hello x");

        Cli refused = cli("patch", "apply", hostPid, patch.toString(), "--program", "999", "--agent-jar", agentJar());
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(refused.err().contains("in class loader 'program-999'"), refused.toString());
        a.say("y", "A: hello y");

        Cli applied = apply(hostPid, patch, idA);
        assertTrue(applied.out().contains("applied in class loader 'program-" + idA + "'"), applied.toString());
        String patchId = group(Pattern.compile("patch ([0-9a-f]{16}) "), applied.out());
        a.say("z", "A: HELLO Z!");
        b.say("z", "B: hello z");
        assertNotEquals(idA, idB, status);
        assertEquals(patchId, patchesOf(idA), status);
        assertEquals("-", patchesOf(idB));

        Cli twice = cli("patch", "apply", hostPid, patch.toString(), "--program", idA, "--agent-jar", agentJar());
        assertEquals(1, twice.code(), twice.toString());
        assertTrue(twice.err().contains("is already applied in class loader 'program-" + idA + "'"), twice.toString());

        apply(hostPid, patch, idB);   // the same patch, a second program
        a.say("v", "A: HELLO V!");
        b.say("v", "B: HELLO V!");
        assertEquals(patchId, patchesOf(idA));
        assertEquals(patchId, patchesOf(idB));
        Cli agentStatus = cli("status", hostPid, "--agent-jar", agentJar());
        assertTrue(agentStatus.out().contains(patchId + " in class loader 'program-" + idA + "'"), agentStatus.toString());
        assertTrue(agentStatus.out().contains(patchId + " in class loader 'program-" + idB + "'"), agentStatus.toString());

        rollback(hostPid, idA);   // A's application is not the newest: B's stays
        a.say("w", "A: hello w");
        b.say("w", "B: HELLO W!");
        assertEquals("-", patchesOf(idA));
        assertEquals(patchId, patchesOf(idB));
        Cli none = cli("patch", "rollback", hostPid, "--program", idA, "--agent-jar", agentJar());
        assertEquals(1, none.code(), none.toString());
        assertTrue(none.err().contains("no patch is applied in class loader 'program-" + idA + "'"), none.toString());
        b.say("u", "B: HELLO U!");

        rollback(hostPid, idB);
        a.say("t", "A: hello t");
        b.say("t", "B: hello t");
        assertEquals("-", patchesOf(idB));

        // A ends while patched: the host rolls its patch back as it ends, and A's loader is collected
        apply(hostPid, patch, idA);
        a.say("s", "A: HELLO S!");
        assertEquals(0, a.quit());
        Cli afterEnd = cli("status", hostPid, "--agent-jar", agentJar());
        assertFalse(afterEnd.out().contains("program-" + idA + "'"), afterEnd.toString());
        Await.until(() -> "one program loader (B's) in the host after A ended patched: " + programLoaders(hostPid),
                Duration.ofSeconds(60), () -> programLoaders(hostPid).equals("1"));
        b.say("r", "B: hello r");

        assertEquals(0, b.quit());
    }

    /** The number of program class loaders in the host after a full GC ({@code jcmd GC.class_histogram}). */
    private static String programLoaders(String hostPid) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), hostPid,
                    "GC.class_histogram").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            Matcher m = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+dev\\.atlas\\.ulp\\.load\\.ProgramClassLoader$").matcher(out);
            return m.find() ? m.group(1) : "0";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Cli apply(String hostPid, Path patch, String program) {
        Cli c = cli("patch", "apply", hostPid, patch.toString(), "--program", program, "--agent-jar", agentJar(),
                "--timeout", "2m");
        assertEquals(0, c.code(), c.toString());
        return c;
    }

    private static void rollback(String hostPid, String program) {
        Cli c = cli("patch", "rollback", hostPid, "--program", program, "--agent-jar", agentJar(), "--timeout", "2m");
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("rolled back in class loader 'program-" + program + "'"), c.toString());
    }

    /** The PATCHES column of program {@code id} in {@code atlas host status}. */
    private String patchesOf(String id) throws Exception {
        String status = hostStatus();
        return group(Pattern.compile("(?m)^\\s*" + id + "\\s+(?:\\S+\\s+){6}(\\S+)\\s"), status);
    }

    // ------------------------------------------------------------------ the two builds

    private Path compile(String name, String greeter) {
        return SourceCompiler.compileTo(tmp.resolve(name), Map.of("demo.greet.Main", MAIN, "demo.greet.Greeter", greeter),
                "--release", "25");
    }

    private static Path jar(Path classes, Path jar) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "demo.greet.Main");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar;
    }

    // ------------------------------------------------------------------ host, client, CLI

    /** A client whose host runs only atlas-ulp and atlas-core (not the test's class path). */
    private JavaClient client() {
        String cp = location(ProgramHost.class) + java.io.File.pathSeparator + location(ViewSpace.class);
        HostStarter starter = new HostStarter(Path.of(System.getProperty("java.home"), "bin", "java"), cp,
                List.of("-XX:+EnableDynamicAgentLoading"));
        return new JavaClient(paths, starter);
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private String hostStatus() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, client().call(List.of("host", "status"), Map.of(), tmp.toString(), InputStream.nullInputStream(),
                out, new ByteArrayOutputStream()));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String group(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), p + " in:\n" + text);
        return m.group(1);
    }

    private static String agentJar() {
        Path jar = Path.of(System.getProperty("atlas.agent.jar", "../atlas-patch/agent/target/atlas-agent.jar"));
        assertTrue(Files.isRegularFile(jar), "atlas-agent.jar not built at " + jar.toAbsolutePath()
                + " (build with -am: ./mvnw -pl atlas-ulp -am verify)");
        return jar.toString();
    }

    private record Cli(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit code " + code + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    private static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = AtlasCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** A program run through the client: its stdin written by the test, its stdout read line by line. */
    private record Program(PipedOutputStream stdin, Lines stdout, ByteArrayOutputStream stderr,
                           CompletableFuture<Integer> exit) {
        static Program start(JavaClient client, Path jar, String name, Path cwd) throws IOException {
            PipedOutputStream in = new PipedOutputStream();
            PipedInputStream programIn = new PipedInputStream(in);
            Lines out = new Lines();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("client " + name).start(() -> {
                try {
                    exit.complete(client.call(List.of("run", jar.toString(), name), Map.of(), cwd.toString(), programIn,
                            out, err));
                } catch (Exception | Error e) {
                    exit.completeExceptionally(e);
                }
            });
            return new Program(in, out, err, exit);
        }

        void expect(String line) throws InterruptedException {
            String got = stdout.lines.poll(2, TimeUnit.MINUTES);
            assertNotNull(got, "no line from the program (expected '" + line + "'); stderr: "
                    + stderr.toString(StandardCharsets.UTF_8) + ", exit " + exit);
            assertEquals(line, got, "stderr: " + stderr.toString(StandardCharsets.UTF_8));
        }

        void say(String input, String answer) throws IOException, InterruptedException {
            stdin.write((input + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            expect(answer);
        }

        int quit() throws Exception {
            stdin.write("quit\n".getBytes(StandardCharsets.UTF_8));
            stdin.close();
            return exit.get(2, TimeUnit.MINUTES);
        }
    }

    /** Output split into lines, each handed to a queue as it ends. */
    private static final class Lines extends OutputStream {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(current.toString(StandardCharsets.UTF_8));
                current.reset();
            } else {
                current.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }
    }
}
