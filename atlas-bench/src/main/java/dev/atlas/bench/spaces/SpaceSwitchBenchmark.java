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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Switching a thread between two spaces ({@link CurrentSpace}), in one run against two
 * baselines: the same two reads with no switch ({@code readBothNoSwitch}), and the same
 * switches made as {@link ScopedValue} bindings ({@code scopedValueSwitch}). Each operation
 * is two switches (into {@code a}, then into {@code b}), each followed by a read of one word
 * of that space through {@code CurrentSpace.get()}; the bodies are built once, so no
 * operation allocates a lambda.
 *
 * {@snippet lang=shell :
 * java --enable-native-access=ALL-UNNAMED -jar atlas-bench/target/atlas-bench.jar SpaceSwitchBenchmark \
 *      -prof dev.atlas.bench.CpuTimeProfiler
 * }
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SpaceSwitchBenchmark {
    private static final ScopedValue<SharedSpace> SCOPED = ScopedValue.newInstance();

    private SpaceDirectory dir;
    private SharedSpace a;
    private SharedSpace b;
    private long pa;
    private long pb;
    private long sink;
    private Runnable readA;
    private Runnable readB;
    private Runnable scopedReadA;
    private Runnable scopedReadB;

    @Setup(Level.Trial)
    public void setUp() {
        dir = SpaceDirectory.at(Path.of("/dev/shm", "atlas-bench-switch-" + ProcessHandle.current().pid()));
        a = dir.create("a", 1 << 20, 0600);
        b = dir.create("b", 1 << 20, 0600);
        pa = a.offsetOf(a.allocate(8));
        pb = b.offsetOf(b.allocate(8));
        readA = () -> sink += CurrentSpace.get().segment().get(JAVA_LONG, pa);
        readB = () -> sink += CurrentSpace.get().segment().get(JAVA_LONG, pb);
        scopedReadA = () -> sink += SCOPED.get().segment().get(JAVA_LONG, pa);
        scopedReadB = () -> sink += SCOPED.get().segment().get(JAVA_LONG, pb);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        a.close();
        b.close();
        dir.delete("a", true);
        dir.delete("b", true);
        Files.deleteIfExists(dir.path());
    }

    /** Baseline: the two reads, no switch. */
    @Benchmark
    public long readBothNoSwitch() {
        sink += a.segment().get(JAVA_LONG, pa);
        sink += b.segment().get(JAVA_LONG, pb);
        return sink;
    }

    /** Switch into a and read, switch into b and read: two switches per operation. */
    @Benchmark
    public long switchBetweenTwoSpaces() {
        CurrentSpace.run(a, readA);
        CurrentSpace.run(b, readB);
        return sink;
    }

    /** The same two switches as ScopedValue bindings (baseline: the JDK's scoped binding). */
    @Benchmark
    public long scopedValueSwitch() {
        ScopedValue.where(SCOPED, a).run(scopedReadA);
        ScopedValue.where(SCOPED, b).run(scopedReadB);
        return sink;
    }
}
