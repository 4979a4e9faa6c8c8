package dev.atlas.bench.spaces;

import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;
import dev.atlas.spaces.sys.SpaceSyscalls;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Creates, detaches and deletes a space with a 1 GiB segment N times, each step between two
 * marker system calls ({@code kill(999991, 0)} before create, {@code kill(999992, 0)} after
 * it, {@code kill(999993, 0)} after the detach, {@code kill(999994, 0)} after the delete; no
 * such process exists), so that the system calls of each step can be counted under
 * {@code strace -f} apart from the JVM's other threads:
 *
 * {@snippet lang=shell :
 * strace -f -o /tmp/create.trace java --enable-native-access=ALL-UNNAMED -cp atlas-bench/target/atlas-bench.jar \
 *     dev.atlas.bench.spaces.SpaceCreateLoop 3000
 * awk '/kill\(99999[1-4], 0/ { split($2, k, /[(,]/); step[$1] = k[2]; next }
 *      step[$1] == 999991 && $2 !~ /^</ { split($2, w, "("); n[w[1]]++ }
 *      END { for (s in n) print s, n[s] / 3000 }' /tmp/create.trace
 * }
 *
 * (the awk prints the calls per create; 999992 and 999993 select the detach and the delete).
 */
public final class SpaceCreateLoop {
    private SpaceCreateLoop() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        Path tmp = Files.createTempDirectory(Path.of("/dev/shm"), "atlas-create-loop-");
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        for (int i = 0; i < n; i++) {
            SpaceSyscalls.isAlive(999991);
            SharedSpace s = dir.create("p" + i, 1L << 30, 0600);
            SpaceSyscalls.isAlive(999992);
            s.close();
            SpaceSyscalls.isAlive(999993);
            dir.delete("p" + i, true);
            SpaceSyscalls.isAlive(999994);
        }
        Files.delete(tmp);
    }
}
