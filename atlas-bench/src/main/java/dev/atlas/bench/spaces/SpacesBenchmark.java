package dev.atlas.bench.spaces;

import dev.atlas.spaces.CurrentSpace;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Spaces (atlas-spaces): switching a thread between two spaces and reading one word in each
 * (against reading the same two words with no switch: the baseline in the same run), and
 * creating + attaching + deleting a space whose segment is 1 MiB or 1 GiB (size independence).
 *
 * {@snippet lang=shell :
 * java --enable-native-access=ALL-UNNAMED -jar atlas-bench/target/atlas-bench.jar SpacesBenchmark
 * }
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SpacesBenchmark {
    @Param({"1048576", "1073741824"})
    public long capacity;

    private SpaceDirectory dir;
    private SharedSpace a;
    private SharedSpace b;
    private long pa;
    private long pb;
    private int n;

    @Setup(Level.Trial)
    public void setUp() {
        dir = SpaceDirectory.at(Path.of("/dev/shm", "atlas-bench-spaces-" + ProcessHandle.current().pid()));
        a = dir.create("a", 1 << 20, 0600);
        b = dir.create("b", 1 << 20, 0600);
        pa = a.offsetOf(a.allocate(8));
        pb = b.offsetOf(b.allocate(8));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        a.close();
        b.close();
        dir.delete("a", true);
        dir.delete("b", true);
        java.nio.file.Files.deleteIfExists(dir.path());
    }

    /** Baseline: the two reads, no switch. */
    @Benchmark
    public long readBothNoSwitch() {
        return a.segment().get(JAVA_LONG, pa) + b.segment().get(JAVA_LONG, pb);
    }

    /** Switch into a, read; switch into b, read (two switches per operation). */
    @Benchmark
    public void switchBetweenTwoSpaces(Blackhole bh) {
        CurrentSpace.run(a, () -> bh.consume(CurrentSpace.get().segment().get(JAVA_LONG, pa)));
        CurrentSpace.run(b, () -> bh.consume(CurrentSpace.get().segment().get(JAVA_LONG, pb)));
    }

    /** Create a space with a segment of {@code capacity}, attached, then detach and delete it. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void createAttachDelete() {
        String name = "c" + (n++);
        SharedSpace s = dir.create(name, capacity, 0600);
        s.close();
        dir.delete(name, true);
    }
}
