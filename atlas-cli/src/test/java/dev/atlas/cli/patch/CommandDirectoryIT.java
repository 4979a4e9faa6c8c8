package dev.atlas.cli.patch;

import dev.atlas.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command directory never outlives its CLI for long: SIGTERM deletes it, after SIGKILL the next CLI does. */
class CommandDirectoryIT {
    @TempDir
    Path tmp;

    /** Marks the stand-in's line among what else the JVM may print to stdout (unified-logging warnings go there). */
    private static final String DIR_PREFIX = "command directory: ";

    /** A CLI stand-in: creates a command directory under args[0], prints it, waits for its stdin to close. */
    public static void main(String[] args) throws IOException {
        try (CommandDirectory d = new CommandDirectory(Path.of(args[0]))) {
            Files.writeString(d.path().resolve("patch.atlaspatch"), "a copy of the patch");
            System.out.println(DIR_PREFIX + d.path());
            System.out.flush();
            System.in.read();
        }
    }

    private Process holder() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                CommandDirectoryIT.class.getName(), tmp.toString())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The directory the stand-in printed; lines the JVM printed before it are skipped. */
    private static Path dirOf(Process p) throws IOException {
        BufferedReader r = p.inputReader();
        StringBuilder other = new StringBuilder();
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.startsWith(DIR_PREFIX)) {
                return Path.of(line.substring(DIR_PREFIX.length()));
            }
            other.append(line).append('\n');
        }
        throw new AssertionError("the CLI stand-in ended without printing its directory; its output:\n" + other);
    }

    /*
     * No time budget for the whole test: it starts two JVMs, which on a loaded 2-core
     * machine take tens of seconds each. Each wait is for a condition (the child printed its
     * directory, the child exited), bounded only by Await.BOUND to turn a hang into a failure.
     */
    @Test
    void sigtermDeletesTheDirectoryAndSigkillLeavesOneTheNextCommandDeletes() throws Exception {
        Process terminated = holder();
        Path d1 = dirOf(terminated);
        assertTrue(Files.isDirectory(d1));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d1)));
        terminated.destroy(); // SIGTERM
        assertTrue(terminated.waitFor(Await.BOUND.toSeconds(), TimeUnit.SECONDS), "SIGTERM did not end the CLI stand-in");
        assertFalse(Files.exists(d1), "SIGTERM left " + d1);

        Process killed = holder();
        Path d2 = dirOf(killed);
        killed.destroyForcibly(); // SIGKILL: no hook runs
        assertTrue(killed.waitFor(Await.BOUND.toSeconds(), TimeUnit.SECONDS), "SIGKILL did not end the CLI stand-in");
        assertTrue(Files.exists(d2), "a killed process cannot clean up");
        assertEquals(Optional.of(killed.pid()), CommandDirectory.ownerPid(d2.getFileName().toString()));

        Path live = Files.createDirectory(tmp.resolve("atlas-cmd-" + ProcessHandle.current().pid() + "-other"));
        try (CommandDirectory next = new CommandDirectory(tmp)) {
            assertFalse(Files.exists(d2), "the next command deletes the directory of a dead CLI");
            assertTrue(Files.exists(live), "a live CLI's directory stays");
            assertTrue(Files.isDirectory(next.path()));
        }
    }
}
