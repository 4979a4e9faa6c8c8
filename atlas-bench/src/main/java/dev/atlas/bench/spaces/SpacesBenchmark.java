package dev.atlas.bench.spaces;

import dev.atlas.spaces.AttachOptions;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Creating and attaching a space whose segment is 64 MiB, 1 GiB or 16 GiB (sparse), to show
 * that the time does not depend on the size: {@code createAndAttach} (the space is detached
 * and deleted after each operation, outside the measured time), {@code attachReadWrite} (an
 * existing space attached and detached) and {@code createAttachDelete} (the whole life).
 * Switching between spaces: {@link SpaceSwitchBenchmark}.
 *
 * {@snippet lang=shell :
 * java --enable-native-access=ALL-UNNAMED -jar atlas-bench/target/atlas-bench.jar SpacesBenchmark \
 *      -prof dev.atlas.bench.CpuTimeProfiler
 * }
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SpacesBenchmark {
    @Param({"67108864", "1073741824", "17179869184"})
    public long capacity;

    private SpaceDirectory dir;
    private SharedSpace created;
    private int n;

    @Setup(Level.Trial)
    public void setUp() {
        dir = SpaceDirectory.at(Path.of("/dev/shm", "atlas-bench-spaces-" + ProcessHandle.current().pid()));
        dir.create("existing", capacity, 0600).close();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        dir.delete("existing", true);
        Files.deleteIfExists(dir.path());
    }

    /** Detaches and deletes what {@link #createAndAttach} made (not measured). */
    @TearDown(Level.Invocation)
    public void deleteCreated() {
        if (created != null) {
            created.close();
            dir.delete(created.name(), true);
            created = null;
        }
    }

    /** Create a space with a segment of {@code capacity}, attached read-write. */
    @Benchmark
    public SharedSpace createAndAttach() {
        created = dir.create("c" + (n++), capacity, 0600);
        return created;
    }

    /** Attach an existing space read-write (at its fixed address), then detach. */
    @Benchmark
    public void attachReadWrite() {
        dir.attach("existing", AttachOptions.READ_WRITE).close();
    }

    /** Create a space with a segment of {@code capacity}, attached, then detach and delete it. */
    @Benchmark
    public void createAttachDelete() {
        String name = "d" + (n++);
        SharedSpace s = dir.create(name, capacity, 0600);
        s.close();
        dir.delete(name, true);
    }
}
