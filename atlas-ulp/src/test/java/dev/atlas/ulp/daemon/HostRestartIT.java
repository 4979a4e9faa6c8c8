package dev.atlas.ulp.daemon;

import dev.atlas.ulp.client.HostStarter;
import dev.atlas.ulp.client.JavaClient;
import dev.atlas.ulp.fixtures.Programs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real host process killed ({@code SIGKILL}) while a program runs: the program's client
 * ends with a clear error and status 1, the next {@code run} starts a new host on the stale
 * socket, and after {@code host stop} nothing is left: no host process, no socket, nothing
 * but the log in the host directory. With the Java client and the native one (when built).
 */
class HostRestartIT {
    private static final Pattern HOST_PID = Pattern.compile("host pid (\\d+)");

    @TempDir
    Path tmp;

    /** Whatever a failed run left: a host in the test's directory is stopped. */
    @AfterEach
    void stopLeftoverHost() throws Exception {
        HostPaths paths = new HostPaths(tmp.resolve("host"));
        if (Files.exists(paths.socket())) {
            new JavaClient(paths, HostStarter.ofThisJvm()).call(List.of("host", "stop"), Map.of(), tmp.toString(),
                    InputStream.nullInputStream(), new ByteArrayOutputStream(), new ByteArrayOutputStream());
        }
    }

    /** One way to reach the host: run a command, return the exit status. */
    private interface Client {
        int call(List<String> args, InputStream stdin, OutputStream out, OutputStream err) throws Exception;
    }

    private Client client(String kind, HostPaths paths) {
        if (kind.equals("java")) {
            return (args, stdin, out, err) -> new JavaClient(paths, HostStarter.ofThisJvm())
                    .call(args, Map.of(), tmp.toString(), stdin, out, err);
        }
        Path exe = Path.of(System.getProperty("atlas.native.client", "target/native/atlas-run"));
        assumeTrue(Files.isExecutable(exe), "the native client was not built (no gcc)");
        return (args, stdin, out, err) -> {
            List<String> cmd = new ArrayList<>(List.of(exe.toString()));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
            pb.environment().put("ATLAS_HOST_DIR", paths.dir().toString());
            pb.environment().put("ATLAS_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            pb.environment().put("ATLAS_ULP_JAR", System.getProperty("java.class.path"));
            Process p = pb.start();
            Thread.ofVirtual().start(() -> copy(stdin, p.getOutputStream(), true));
            Thread errPump = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err, false));
            copy(p.getInputStream(), out, false);
            errPump.join();
            return p.waitFor();
        };
    }

    private static void copy(InputStream in, OutputStream out, boolean closeOut) {
        try (in) {
            byte[] b = new byte[8192];
            int n;
            while ((n = in.read(b)) >= 0) {
                out.write(b, 0, n);
                out.flush();
            }
            if (closeOut) {
                out.close();
            }
        } catch (java.io.IOException e) {
            // the other side went away: the test's assertions say what that means
        }
    }

    /** Output that opens {@code first} at its first byte. */
    private static final class Watched extends ByteArrayOutputStream {
        final CountDownLatch first = new CountDownLatch(1);

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            first.countDown();
        }
    }

    private static long hostPid(Client c) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, c.call(List.of("host", "status"), InputStream.nullInputStream(), out, new ByteArrayOutputStream()));
        Matcher m = HOST_PID.matcher(out.toString(StandardCharsets.UTF_8));
        assertTrue(m.find(), out.toString(StandardCharsets.UTF_8));
        return Long.parseLong(m.group(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "native"})
    void aKilledHostIsReplacedAndLeavesNothingBehind(String kind) throws Exception {
        HostPaths paths = new HostPaths(tmp.resolve("host"));
        Client c = client(kind, paths);
        String testClasses = Path.of(Programs.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        PipedOutputStream keepOpen = new PipedOutputStream();
        InputStream stdin = new PipedInputStream(keepOpen);
        Watched out = new Watched();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> {
            try {
                return c.call(List.of("run", "--cp", testClasses, Programs.Forever.class.getName()), stdin, out, err);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        out.first.await();   // the program printed "running": the host is up and serving it
        long oldPid = hostPid(c);
        ProcessHandle oldHost = ProcessHandle.of(oldPid).orElseThrow();
        assertTrue(oldHost.destroyForcibly(), "SIGKILL to host " + oldPid);
        oldHost.onExit().join();

        assertEquals(1, running.join(), "the client of a program whose host died exits with 1");
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("atlas: the host closed the connection without an exit status (see "
                + paths.log()), message);
        assertEquals("running\n", out.toString(StandardCharsets.UTF_8));
        keepOpen.close();

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertEquals(0, c.call(List.of("run", "--cp", testClasses, Programs.Hello.class.getName(), "again"),
                InputStream.nullInputStream(), again, new ByteArrayOutputStream()), "a new host serves the next run");
        assertEquals("hello again\n", again.toString(StandardCharsets.UTF_8));
        long newPid = hostPid(c);
        assertNotEquals(oldPid, newPid);

        ProcessHandle newHost = ProcessHandle.of(newPid).orElseThrow();
        assertEquals(0, c.call(List.of("host", "stop"), InputStream.nullInputStream(), new ByteArrayOutputStream(),
                new ByteArrayOutputStream()));
        newHost.onExit().join();
        assertFalse(oldHost.isAlive() || newHost.isAlive());
        try (Stream<Path> left = Files.list(paths.dir())) {
            assertEquals(List.of("host.log"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                    "only the log is left in " + paths.dir());
        }
    }
}
