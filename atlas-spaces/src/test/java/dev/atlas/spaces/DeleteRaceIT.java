package dev.atlas.spaces;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delete races create and read-write attach of one name, from three JVMs of two threads each
 * ({@link DeleteRaceChild} states the rules each checks). Delete takes the directory's
 * exclusive lock and a read-write attacher the shared one until it is registered, so a
 * delete without force never removes a space another process holds, and never a space
 * created under the name after it looked: without the lock, a delete that had checked the
 * attached table of one space unlinked the name after another process had attached it, or
 * after the space was deleted and created again. Afterwards the directory holds at most that
 * one space file, whole.
 */
class DeleteRaceIT {
    private static final int CHILDREN = 3;
    private static final int THREADS = 2;
    private static final int ITERATIONS = 400;

    @TempDir
    Path tmp;

    @Test
    void deleteNeverRemovesASpaceAnotherProcessHoldsAndErrorsAreClear() throws Exception {
        List<Process> children = new ArrayList<>();
        for (int c = 0; c < CHILDREN; c++) {
            children.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"), DeleteRaceChild.class.getName(),
                    tmp.toString(), "contested", String.valueOf(ITERATIONS), String.valueOf(THREADS))
                    .redirectErrorStream(true).start());
        }
        List<String> said = new ArrayList<>();
        for (Process p : children) {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                for (String line; (line = out.readLine()) != null; ) said.add(line);
            }
            assertEquals(0, p.waitFor(), "child exit code; it said: " + said);
        }
        assertEquals(CHILDREN, said.stream().filter("ok"::equals).count(), "every child finished: " + said);
        assertTrue(said.stream().allMatch("ok"::equals), "violations: " + said);

        SpaceDirectory dir = SpaceDirectory.at(tmp);
        try (var files = Files.list(tmp)) {
            List<Path> left = files.toList();
            assertTrue(left.isEmpty() || left.equals(List.of(dir.spaceFile("contested"))), "files left: " + left);
            if (!left.isEmpty()) {
                try (SharedSpace s = dir.attach("contested", AttachOptions.READ_WRITE)) {
                    s.heap().check();
                }
                dir.delete("contested", false);
            }
        }
    }
}
