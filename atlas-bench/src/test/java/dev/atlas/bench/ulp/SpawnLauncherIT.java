package dev.atlas.bench.ulp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harnesses' {@code posix_spawn} launcher starts a process as {@link ProcessBuilder} does
 * for them: in the given directory, stdin from {@code /dev/null}, stdout and stderr to their
 * files, the environment extended, its exit status (128 + the signal for a killed one).
 */
class SpawnLauncherIT {
    @TempDir
    Path dir;

    @Test
    void runsInTheDirectoryWithTheEnvironmentAndReportsStatusAndOutput() throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Path work = Files.createDirectory(dir.resolve("work"));
        SpawnLauncher.Timed t = SpawnLauncher.run(List.of("/bin/sh", "-c",
                        "pwd; echo \"$SPAWN_TEST_VAR\"; cat; echo oops >&2; exit 7"),
                work, out, err, Map.of("SPAWN_TEST_VAR", "value one"));
        assertEquals(7, t.status());
        assertTrue(t.millis() > 0, "wall time " + t.millis());
        assertEquals(work.toRealPath() + "\nvalue one\n", Files.readString(out));
        assertEquals("oops\n", Files.readString(err));
    }

    @Test
    void aProcessEndedByASignalHasStatus128PlusTheSignal() {
        SpawnLauncher.Timed t = SpawnLauncher.run(List.of("/bin/sh", "-c", "kill -9 $$"), dir,
                dir.resolve("o"), dir.resolve("e"), Map.of());
        assertEquals(128 + 9, t.status());
    }

    @Test
    void harnessResultsAgreeWithProcessBuilder() throws Exception {
        List<String> cmd = List.of("/bin/sh", "-c", "echo same; exit 3");
        HarnessProcesses.Result spawned = HarnessProcesses.exec(HarnessProcesses.Launcher.SPAWN, cmd, dir, dir, Map.of());
        HarnessProcesses.Result jdk = HarnessProcesses.exec(HarnessProcesses.Launcher.JDK, cmd, dir, dir, Map.of());
        assertEquals(jdk.status(), spawned.status());
        assertEquals(jdk.out(), spawned.out());
    }

    @Test
    void aRelativeProgramOrAMissingOneIsRefusedByName() {
        IllegalArgumentException rel = assertThrows(IllegalArgumentException.class,
                () -> SpawnLauncher.run(List.of("true"), dir, dir.resolve("o"), dir.resolve("e"), Map.of()));
        assertEquals("expected a command whose program is an absolute path, got [true]", rel.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> SpawnLauncher.run(List.of("/no/such/program"), dir, dir.resolve("o"), dir.resolve("e"), Map.of()));
        assertEquals("posix_spawn /no/such/program failed: error 2", missing.getMessage());
    }
}
