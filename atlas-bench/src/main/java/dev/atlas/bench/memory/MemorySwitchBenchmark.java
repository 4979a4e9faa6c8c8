package dev.atlas.bench.memory;

import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.memory.MemorySpace;
import dev.atlas.memory.Region;
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

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Moving a thread between two memory views (SpaceJMP-style switching): the thread calls
 * {@link ViewSpace#switchCurrentThread(View)} and then reads through the new view's segment
 * of a region ({@code memory.segment(r)}, resolved from the thread's current view). The
 * two views have separate mappings (view A overlays the region copy-on-write, view B maps it
 * read-only), so each switch really changes which page-table entries the read goes through.
 *
 * <ul>
 *   <li>{@link #switchAndRead}: switch to the other view, get the region's segment in the
 *       current view, read a long from it; one op = one switch;</li>
 *   <li>{@link #currentSegmentRead} (baseline a): the same lookup and read without a switch;</li>
 *   <li>{@link #heldSegmentRead} (baseline b): a read through a segment already in hand.</li>
 * </ul>
 * External reference (not measured here): SpaceJMP on Linux, 468 ns per address-space switch.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class MemorySwitchBenchmark {
    private ViewSpace space;
    private MemorySpace memory;
    private Region region;
    private View a;
    private View b;
    private boolean inA;
    private MemorySegment held;

    @Setup(Level.Trial)
    public void setUp() {
        space = ViewSpace.create("switch-bench");
        memory = MemorySpace.create(space, "switch-bench", 1L << 30);
        region = memory.allocate("data", 1L << 20);
        memory.segment(space.baseView(), region).fill((byte) 1);
        a = memory.configure(space.derive(space.baseView(), "A"), m -> m.overlay(region)).publish();
        b = memory.configure(space.derive(space.baseView(), "B"),
                m -> m.protect(region, dev.atlas.memory.Protection.READ_ONLY)).publish();
        space.bindCurrentThread(a);
        inA = true;
        held = memory.segment(a, region);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        memory.close();
        space.close();
    }

    @Benchmark
    public long switchAndRead() {
        space.switchCurrentThread(inA ? b : a);
        inA = !inA;
        return memory.segment(region).get(JAVA_LONG, 64);
    }

    @Benchmark
    public long currentSegmentRead() {
        return memory.segment(region).get(JAVA_LONG, 64);
    }

    @Benchmark
    public long heldSegmentRead() {
        return held.get(JAVA_LONG, 64);
    }
}
