package dev.atlas.spaces;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A creator JVM killed with SIGKILL right after each step of {@code SpaceDirectory.create}
 * (claimed the name; wrote header and heap header; sized the file; mapped it; wrote the
 * magic). While it lives, a creation not yet sealed reads as busy: attach and inspect refuse
 * it as DAMAGED naming the creation, create as EXISTS, list leaves it out. Once it is dead, a
 * creation not sealed is removed by the next attach (NOT_FOUND) and the name is free again;
 * one sealed is a complete, empty space whose attached table names the dead creator.
 */
class CreationCrashIT {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(SpaceDirectory.CreateStep.class)
    void aCreatorKilledAfterEachStepLeavesWhatTheNextOpenRecovers(SpaceDirectory.CreateStep step) throws Exception {
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), CreateStepChild.class.getName(),
                tmp.toString(), "half", step.name()).redirectErrorStream(true).start();
        Path file = dir.spaceFile("half");
        boolean sealed = step == SpaceDirectory.CreateStep.SEALED;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            assertEquals("at " + step, out.readLine());
            assertEquals(List.of(file), files(), "one file, the space's");
            if (!sealed) {
                for (var attempt : List.<org.junit.jupiter.api.function.Executable>of(
                        () -> dir.attach("half", AttachOptions.READ_ONLY), () -> dir.inspect("half"))) {
                    SpaceException busy = assertThrows(SpaceException.class, attempt);
                    assertEquals(SpaceException.Reason.DAMAGED, busy.reason(), busy.getMessage());
                    String expected = step == SpaceDirectory.CreateStep.CLAIMED ? "shorter than the 12288-byte header"
                            : "creation by pid " + child.pid() + " still in progress";
                    assertTrue(busy.getMessage().contains(expected), busy.getMessage());
                }
                assertEquals(SpaceException.Reason.EXISTS,
                        assertThrows(SpaceException.class, () -> dir.create("half", 1 << 20, 0600)).reason());
                assertEquals(List.of(), dir.list());
                assertEquals(List.of(file), files(), "nothing removed while the creator lives");
            }
        } finally {
            child.destroyForcibly().waitFor();   // SIGKILL
        }
        if (step == SpaceDirectory.CreateStep.CLAIMED) {
            // killed before its first write: no creator pid to ask, so the file's age decides (10 s)
            assertEquals(0, Files.size(file));
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - 11_000));
        }
        if (sealed) {
            SpaceInfo info = dir.inspect("half");
            assertEquals(List.of(child.pid()), info.deadAttached(), "the creator, dead while attached");
            assertEquals(0, info.heapUsed());
            try (SharedSpace s = dir.attach("half", AttachOptions.READ_WRITE)) {
                s.setRoot("r", "t", s.allocate(64));
                s.heap().check();
            }
            dir.delete("half", false);
        } else {
            SpaceException gone = assertThrows(SpaceException.class, () -> dir.attach("half", AttachOptions.READ_WRITE));
            assertEquals(SpaceException.Reason.NOT_FOUND, gone.reason(), gone.getMessage());
            assertEquals(List.of(), files(), "the interrupted creation was removed");
        }
        try (SharedSpace s = dir.create("half", 1 << 20, 0600)) {
            assertEquals(0, s.heap().used(), "a new, empty space under the name");
        }
        dir.delete("half", false);
        assertEquals(List.of(), files());
    }

    private List<Path> files() throws Exception {
        try (var s = Files.list(tmp)) {
            return s.sorted().toList();
        }
    }
}
