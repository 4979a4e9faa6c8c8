package dev.atlas.spaces;

import dev.atlas.spaces.sync.RobustLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several JVMs allocate and take the robust lock in one space at once; each is killed with
 * SIGKILL at a random round (some while holding the lock or mid-allocation). Afterwards the
 * heap's structure checks out, the lock is acquirable, and the counters it protects are
 * consistent (repaired from the dead holder's intent where it died inside).
 */
class CrashIT {
    @TempDir
    Path tmp;

    @Test
    void killedJvmsLeaveTheSpaceConsistent() throws Exception {
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        try (SharedSpace s = dir.create("crash", 16 << 20, 0600)) {
            long pair = s.allocate(16);
            s.setRoot("pair", "long[2]", pair);
            Random r = new Random();
            int deaths = 0;
            for (int wave = 0; wave < 2; wave++) {
                List<Process> children = new ArrayList<>();
                List<BufferedReader> outs = new ArrayList<>();
                for (int c = 0; c < 3; c++) {
                    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                            "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                            tmp.toString(), "crash").redirectErrorStream(true).start();
                    children.add(p);
                    outs.add(new BufferedReader(new InputStreamReader(p.getInputStream())));
                }
                for (int c = 0; c < children.size(); c++) {
                    int target = 200 + r.nextInt(3000);
                    String line;
                    int rounds = 0;
                    while ((line = outs.get(c).readLine()) != null && rounds < target) {
                        if (line.startsWith("round ")) rounds++;
                        else throw new AssertionError("child said: " + line);
                    }
                    children.get(c).destroyForcibly().waitFor();   // SIGKILL, at a random instant
                    deaths++;
                }
            }
            s.heap().check();
            long off = s.offsetOf(pair);
            try (RobustLock.Held held = s.lock().lock()) {
                if (held.previousOwnerDied() && held.deadOwnerIntent() == 1) {
                    s.segment().set(JAVA_LONG, off + 8, s.segment().get(JAVA_LONG, off));
                }
                long a = s.segment().get(JAVA_LONG, off), b = s.segment().get(JAVA_LONG, off + 8);
                assertEquals(a, b, "counters protected by the robust lock");
                assertTrue(a >= deaths * 200L, "children made progress: " + a);
            }
            assertTrue(dir.inspect("crash").attached().size() <= 1, "dead children are not listed as attached");
        }
    }
}
