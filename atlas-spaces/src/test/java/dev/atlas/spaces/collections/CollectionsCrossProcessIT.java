package dev.atlas.spaces.collections;

import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several JVMs fill the hash map, ordered map and vector of one space at once while this JVM
 * reads them; then more JVMs do the same and are killed with SIGKILL at random points. The
 * structures check out, every key a child reported is visible here at once, and what the
 * killed children left is a prefix of their work.
 */
class CollectionsCrossProcessIT {
    private static final int N = 1500;

    @TempDir
    Path tmp;

    @Test
    void severalJvmsShareTheStructuresAndSurviveKills() throws Exception {
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        try (SharedSpace s = dir.create("shared", 64 << 20, 0600)) {
            SharedHashMap map = SharedHashMap.create(s, "map", 1024);
            SharedSkipListMap ordered = SharedSkipListMap.create(s, "ordered");
            SharedVector vector = SharedVector.create(s, "vector");

            // Phase 1: two writers run to completion; each reported key is visible here at once.
            List<Process> writers = List.of(start(0, N), start(1, N));
            for (int c = 0; c < 2; c++) {
                BufferedReader out = reader(writers.get(c));
                String line;
                while ((line = out.readLine()) != null) {
                    assertTrue(line.startsWith("done "), "child said: " + line);
                    long k = Long.parseLong(line.substring(5)) * CollectionsChild.STRIDE + c;
                    assertEquals(2 * k, map.getOrDefault(k, -1), "key " + k + " seen from this JVM");
                    assertEquals(2 * k, ordered.get(k).orElse(-1), "key " + k + " in the ordered map");
                }
                assertEquals(0, writers.get(c).waitFor());
            }
            assertEquals(2L * N, map.check());
            assertEquals(2L * N, map.size());
            assertEquals(2L * N, ordered.check());
            assertEquals(2L * N, vector.size());
            List<Long> keys = new ArrayList<>();
            ordered.forEach(Long.MIN_VALUE + 1, Long.MAX_VALUE, (k, v) -> keys.add(k));
            assertEquals(2 * N, keys.size());
            for (int i = 1; i < keys.size(); i++) assertTrue(keys.get(i - 1) < keys.get(i), "ascending");

            // Phase 2: two writers killed at random points.
            Random r = new Random();
            List<Process> victims = List.of(start(2, Long.MAX_VALUE), start(3, Long.MAX_VALUE));
            for (Process p : victims) {
                BufferedReader out = reader(p);
                int target = 50 + r.nextInt(1500);
                for (int i = 0; i < target; i++) assertTrue(out.readLine().startsWith("done "));
                p.destroyForcibly().waitFor();
            }
            map.check();
            ordered.check();
            for (int c = 0; c < 4; c++) {
                long m = prefix(c, k -> map.getOrDefault(k, -1));
                long o = prefix(c, k -> ordered.get(k).orElse(-1));
                int id = c;
                long v = java.util.stream.LongStream.range(0, vector.size()).map(vector::get)
                        .filter(k -> k % CollectionsChild.STRIDE == id).count();
                assertTrue(o == m || o == m - 1, "child " + c + ": ordered map has " + o + " keys, hash map " + m);
                assertTrue(v == o || v == o - 1, "child " + c + ": vector has " + v + " keys, ordered map " + o);
                if (c < 2) assertEquals(N, v);
            }
            TreeSet<Long> inVector = new TreeSet<>();
            for (long i = 0; i < vector.size(); i++) assertTrue(inVector.add(vector.get(i)), "each key appended once");
        }
    }

    /** The number of keys i*STRIDE+c with value 2k; asserts they are exactly i = 0..count-1. */
    private static long prefix(int c, java.util.function.LongUnaryOperator lookup) {
        long n = 0;
        while (lookup.applyAsLong(n * CollectionsChild.STRIDE + c) == 2 * (n * CollectionsChild.STRIDE + c)) n++;
        for (long i = n; i < n + 10; i++) {
            assertEquals(-1, lookup.applyAsLong(i * CollectionsChild.STRIDE + c), "child " + c + ": gap before key index " + i);
        }
        return n;
    }

    private Process start(int id, long limit) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), CollectionsChild.class.getName(),
                tmp.toString(), "shared", Integer.toString(id), Long.toString(limit)).redirectErrorStream(true).start();
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream()));
    }
}
