package dev.atlas.ulp;

import dev.atlas.ulp.fixtures.Programs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.atlas.ulp.HostFixture.env;
import static dev.atlas.ulp.HostFixture.run;
import static dev.atlas.ulp.HostFixture.spec;
import static dev.atlas.ulp.HostFixture.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Isolation of programs in one host: statics, System, exit, threads, files. */
class ProgramHostTest {
    static ProgramHost host;

    @BeforeAll
    static void createHost() {
        host = ProgramHost.create();
    }

    @AfterAll
    static void closeHost() {
        host.close();
    }

    @Test
    void runsAProgramWithItsArgumentsAndStatus() throws Exception {
        HostFixture.Run r = run(host, spec(Programs.Hello.class, "a", "b"));
        assertEquals(new HostFixture.Run(0, "hello a b\n", ""), r);
    }

    @Test
    void staticsArePrivateToEachProgram() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals("count=1\n", run(host, spec(Programs.Counter.class)).out());
        }
        assertEquals(0, Programs.Counter.class.getDeclaredFields().length > 0 ? 0 : 1);
    }

    @Test
    void propertiesEnvironmentAndWorkingDirectoryArePerProgram(@TempDir Path a, @TempDir Path b) throws Exception {
        HostFixture.Run ra = run(host, spec(Programs.SystemView.class, "A").withCwd(a).withEnv(env("ATLAS_TEST_ENV", "envA")));
        HostFixture.Run rb = run(host, spec(Programs.SystemView.class, "B").withCwd(b).withEnv(env("ATLAS_TEST_ENV", "envB")));
        assertEquals("before=null\nprop=A\nenv=envA\nuser.dir=" + a + "\ncwd=" + a.toRealPath() + "\nnio=" + a + "\n", ra.out());
        assertEquals("before=null\nprop=B\nenv=envB\nuser.dir=" + b + "\ncwd=" + b.toRealPath() + "\nnio=" + b + "\n", rb.out());
        assertEquals("to stderr\n", ra.err());
        assertEquals(null, System.getProperty("atlas.test.prop"), "the host's properties are untouched");
    }

    @Test
    void relativeFilesResolveAgainstTheProgramsDirectory(@TempDir Path dir) throws Exception {
        HostFixture.Run r = run(host, spec(Programs.WriteFiles.class, "note.txt", "written").withCwd(dir));
        assertEquals(new HostFixture.Run(0, "written\n", ""), r);
        assertEquals("written", Files.readString(dir.resolve("note.txt")));
        assertEquals("written", Files.readString(dir.resolve("note.txt.copy")));
        assertFalse(Files.exists(Path.of("note.txt")), "nothing written to the host's directory");
    }

    @Test
    void relativeFilesConstructedByReflectionResolveAgainstTheProgramsDirectory(@TempDir Path dir) throws Exception {
        HostFixture.Run r = run(host, spec(Programs.ReflectiveFile.class, "made.txt").withCwd(dir));
        assertEquals(new HostFixture.Run(0, "true boxed\n", ""), r);
        assertEquals("by reflection", Files.readString(dir.resolve("made.txt")));
        assertFalse(Files.exists(Path.of("made.txt")), "nothing written to the host's directory");
    }

    @Test
    void stdinIsTheProgramsOwn() throws Exception {
        assertEquals("ONE\nTWO\n", run(host, spec(Programs.Upper.class), "one\ntwo\n").out());
    }

    @Test
    void exitFromAnotherThreadEndsOnlyTheProgram() throws Exception {
        HostFixture.Run r = run(host, spec(Programs.ExitFromThread.class, "7"));
        assertEquals(new HostFixture.Run(7, "exiting\n", ""), r);
        assertEquals("hello x\n", run(host, spec(Programs.Hello.class, "x")).out(), "the host still serves");
    }

    @Test
    void exitThroughReflectionEndsOnlyTheProgram() throws Exception {
        assertEquals(new HostFixture.Run(9, "", ""), run(host, spec(Programs.ReflectiveExit.class, "9")));
    }

    @Test
    void runtimeExitRunsTheProgramsShutdownHooks() throws Exception {
        assertEquals(new HostFixture.Run(3, "hook ran\n", ""), run(host, spec(Programs.Hook.class)));
    }

    @Test
    void theProgramLivesUntilItsLastNonDaemonThreadEnds() throws Exception {
        for (ThreadMode mode : ThreadMode.values()) {
            PipedOutputStream feed = new PipedOutputStream();
            InputStream in = new PipedInputStream(feed);
            HostFixture.Started s = start(host, spec(Programs.NonDaemon.class).withThreadMode(mode), in);
            // main has returned once "main done" is out, but the worker still waits for its line
            awaitOutput(s, "main done\n");
            assertFalse(s.program().ended(), mode + ": a non-daemon thread is alive");
            feed.write("ping\n".getBytes(StandardCharsets.UTF_8));
            feed.flush();
            HostFixture.Run r = s.await();
            assertEquals(new HostFixture.Run(0, "main done\nworker read ping\n", ""), r, mode.toString());
        }
    }

    private static void awaitOutput(HostFixture.Started s, String expected) throws InterruptedException {
        while (!s.out().toString(StandardCharsets.UTF_8).equals(expected)) {
            assertFalse(s.program().ended(), "ended before printing " + expected);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Test
    void uncaughtExceptionPrintsAsJavaDoesAndExitsWithOne() throws Exception {
        HostFixture.Run r = run(host, spec(Programs.Throws.class));
        assertEquals(1, r.status());
        assertEquals("Exception in thread \"main\" java.lang.IllegalStateException: boom 0\n"
                + "\tat dev.atlas.ulp.fixtures.Programs$Throws.main(Programs.java:112)\n", r.err());
    }

    @Test
    void killEndsAProgramThatNeverExits() throws Exception {
        HostFixture.Started s = start(host, spec(Programs.Forever.class), InputStream.nullInputStream());
        awaitOutput(s, "running\n");
        assertTrue(host.find(s.program().id()).isPresent());
        s.program().kill();
        assertEquals(143, s.await().status());
        assertTrue(host.find(s.program().id()).isEmpty());
    }

    @Test
    void twentyConcurrentRunsOfOneProgramStayApart() throws Exception {
        List<HostFixture.Started> started = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            started.add(start(host, spec(Programs.Counter.class), InputStream.nullInputStream()));
        }
        for (HostFixture.Started s : started) {
            assertEquals(new HostFixture.Run(0, "count=1\n", ""), s.await());
        }
    }

    /** How many of this process's file descriptors are open on {@code file} (Linux: {@code /proc/self/fd}). */
    private static long openDescriptorsOf(Path file) throws java.io.IOException {
        Path target = file.toRealPath();
        long n = 0;
        try (var fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).equals(target)) {
                        n++;
                    }
                } catch (java.io.IOException closedMeanwhile) {
                    // the stream's own descriptor, or one closed while listing
                }
            }
        }
        return n;
    }

    @Test
    void programsHandObjectsOverByReference() throws Exception {
        HostFixture.Started receiver = start(host, spec(Programs.Receiver.class, "ch-test"), InputStream.nullInputStream());
        HostFixture.Run sender = run(host, spec(Programs.Sender.class, "ch-test"));
        String sentId = sender.out().trim().split(" ")[1];
        assertEquals("received " + sentId + " shared\n", receiver.await().out());
    }

    @Test
    void badInputFailsWithJavasMessageAndChangesNothing(@TempDir Path dir) throws Exception {
        int before = host.programs().size();
        long startedBefore = host.counts().get("started");
        LaunchException missing = assertThrows(LaunchException.class,
                () -> host.launch(spec(Programs.class).withCwd(dir), null == dir ? null : new ProgramIo(InputStream.nullInputStream(), System.out, System.err)));
        assertTrue(missing.getMessage().startsWith("Error: Main method not found in class dev.atlas.ulp.fixtures.Programs"), missing.getMessage());
        LaunchException noClass = assertThrows(LaunchException.class, () -> host.launch(
                ProgramSpec.ofClassPath(List.of(HostFixture.TEST_CLASSES), "no.such.Main", List.of()),
                new ProgramIo(InputStream.nullInputStream(), System.out, System.err)));
        assertEquals("Error: Could not find or load main class no.such.Main\nCaused by: java.lang.ClassNotFoundException: no.such.Main",
                noClass.getMessage());
        Path noManifest = dir.resolve("plain.jar");
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(noManifest))) {
            jar.putNextEntry(new java.util.jar.JarEntry("x.txt"));
        }
        LaunchException noMain = assertThrows(LaunchException.class, () -> host.launch(ProgramSpec.ofJar(noManifest, List.of()),
                new ProgramIo(InputStream.nullInputStream(), System.out, System.err)));
        assertEquals("no main manifest attribute, in " + noManifest, noMain.getMessage());
        assertEquals(0, openDescriptorsOf(noManifest), "a refused launch leaves its jar closed");
        Path corrupt = dir.resolve("corrupt.jar");
        Files.write(corrupt, "not a zip file".getBytes(StandardCharsets.US_ASCII));
        LaunchException bad = assertThrows(LaunchException.class, () -> host.launch(ProgramSpec.ofJar(corrupt, List.of()),
                new ProgramIo(InputStream.nullInputStream(), System.out, System.err)));
        assertEquals("Error: Invalid or corrupt jarfile " + corrupt, bad.getMessage());
        assertEquals(0, openDescriptorsOf(corrupt));
        LaunchException noJar = assertThrows(LaunchException.class, () -> host.launch(
                ProgramSpec.ofJar(dir.resolve("absent.jar"), List.of()), new ProgramIo(InputStream.nullInputStream(), System.out, System.err)));
        assertEquals("Error: Unable to access jarfile " + dir.resolve("absent.jar"), noJar.getMessage());
        assertEquals(before, host.programs().size());
        assertEquals(startedBefore, host.counts().get("started"), "a launch that failed started no program");
        assertNotEquals(0, run(host, spec(Programs.Hello.class)).out().length());
        assertEquals(startedBefore + 1, host.counts().get("started"));
    }
}
