package dev.atlas.ulp.daemon;

import dev.atlas.ulp.ProgramHost;
import dev.atlas.ulp.client.HostStarter;
import dev.atlas.ulp.client.JavaClient;
import dev.atlas.ulp.fixtures.Programs;
import dev.atlas.ulp.protocol.Frame;
import dev.atlas.ulp.protocol.FrameType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host daemon over its Unix-domain socket, driven by the Java client. */
class HostServerIT {
    @TempDir
    Path tmp;
    ProgramHost host;
    HostServer server;
    HostPaths paths;
    String testClasses;

    @BeforeEach
    void start() throws Exception {
        host = ProgramHost.create();
        paths = new HostPaths(tmp.resolve("host"));
        server = HostServer.start(host, paths);
        testClasses = Path.of(Programs.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @AfterEach
    void stop() {
        server.close();
        host.close();
    }

    record Result(int status, String out, String err) {
    }

    Result call(String stdin, String... args) throws Exception {
        return call(paths, stdin, args);
    }

    Result call(HostPaths p, String stdin, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new JavaClient(p, HostStarter.ofThisJvm()).call(List.of(args), Map.of("ATLAS_TEST_ENV", "viaClient"),
                tmp.toString(), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void runStreamsOutputStdinAndTheExitStatus() throws Exception {
        assertEquals(new Result(0, "hello a\n", ""), call("", "run", "--cp", testClasses, Programs.Hello.class.getName(), "a"));
        assertEquals(new Result(0, "X\nY\n", ""), call("x\ny\n", "run", "--cp", testClasses, Programs.Upper.class.getName()));
        assertEquals(new Result(5, "exiting\n", ""), call("", "run", "--cp", testClasses, Programs.ExitFromThread.class.getName(), "5"));
        Result view = call("", "run", "-Datlas.test.prop=ignored", "--cp", testClasses, Programs.SystemView.class.getName(), "p");
        assertTrue(view.out().contains("before=ignored\n") && view.out().contains("env=viaClient\n")
                && view.out().contains("user.dir=" + tmp + "\n"), view.out());
        assertEquals("to stderr\n", view.err());
    }

    @Test
    void badCommandsGetClearErrorsAndTheHostKeepsServing() throws Exception {
        Result noClass = call("", "run", "--cp", testClasses, "no.Such");
        assertEquals(1, noClass.status());
        assertTrue(noClass.err().startsWith("Error: Could not find or load main class no.Such"), noClass.err());
        Result noJar = call("", "run", "missing.jar");
        assertEquals(new Result(1, "", "Error: Unable to access jarfile " + tmp.resolve("missing.jar") + "\n"), noJar);
        assertEquals(2, call("", "run", "--bogus").status());
        assertEquals(2, call("", "frobnicate").status());
        assertEquals(new Result(1, "", "atlas kill: no running program with id 999\n"), call("", "kill", "999"));
        assertEquals(2, call("", "kill", "x").status());
        assertEquals(0, call("", "run", "--cp", testClasses, Programs.Hello.class.getName()).status());
    }

    @Test
    void garbageOnTheSocketIsRefusedAndTheHostKeepsServing() throws Exception {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(paths.socket()))) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 8, 0x7f, 0x7f, 0x7f, 0x7f, 0, 0, 0, 0}));
            Frame f = Frame.read(java.nio.channels.Channels.newInputStream(ch));
            assertEquals(FrameType.STDERR, f.type());
            assertTrue(new String(f.payload(), StandardCharsets.UTF_8).contains("protocol error: argument count"));
        }
        assertEquals(0, call("", "run", "--cp", testClasses, Programs.Hello.class.getName()).status());
    }

    @Test
    void statusListsAndKillEndsAProgramThatNeverExits() throws Exception {
        PipedOutputStream never = new PipedOutputStream();
        InputStream stdin = new PipedInputStream(never);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> {
            try {
                return new JavaClient(paths, HostStarter.ofThisJvm()).call(
                        List.of("run", "--cp", testClasses, Programs.Forever.class.getName()), Map.of(), tmp.toString(),
                        stdin, out, new ByteArrayOutputStream());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (host.programs().isEmpty()) {
            Thread.onSpinWait();
        }
        long id = host.programs().getFirst().id();
        Result status = call("", "host", "status");
        assertEquals(0, status.status());
        assertTrue(status.out().contains(Programs.Forever.class.getName()), status.out());
        assertEquals(0, call("", "kill", Long.toString(id)).status());
        assertEquals(143, running.join());
        assertTrue(host.programs().isEmpty());
        never.close();
    }

    @Test
    void anotherUserIsRefused() throws Exception {
        UserPrincipal nobody = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        HostPaths other = new HostPaths(tmp.resolve("other"));
        try (HostServer strict = HostServer.start(host, other, nobody)) {
            Result r = call(other, "", "run", "--cp", testClasses, Programs.Hello.class.getName());
            assertEquals(1, r.status());
            assertTrue(r.err().startsWith("atlas host: refused: connection from user '"), r.err());
            assertTrue(r.err().contains("this host serves only 'nobody'"), r.err());
        }
        assertEquals(0, call("", "run", "--cp", testClasses, Programs.Hello.class.getName()).status());
    }

    @Test
    void aHostDirectoryOthersCanReachIsRejected() throws Exception {
        Path open = tmp.resolve("open");
        Files.createDirectory(open, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> HostServer.start(host, new HostPaths(open)));
        assertEquals("host directory " + open + " has mode rwxr-xr-x, expected rwx------ (only its owner may reach the host)",
                e.getMessage());
    }

    @Test
    void aSecondHostOnTheSameSocketIsRefused() {
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> HostServer.start(host, paths));
        assertTrue(e.getMessage().startsWith("a host is already listening on " + paths.socket()), e.getMessage());
    }

    static String path(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
