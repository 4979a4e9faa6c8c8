package dev.atlas.bench;

import dev.atlas.core.Migration;
import dev.atlas.core.View;
import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cost of the worker hot path of a {@link ViewSpace}: opening and closing a
 * {@link ViewScope} and a {@linkplain ViewSpace#quiescent() quiescence point} with nothing
 * pending.
 *
 * <p>What is measured (average time per operation, ns/op), every benchmark consuming its
 * result through a {@link Blackhole}:
 * <ul>
 *   <li>{@link #enterClose}: {@code try (ViewScope s = space.enter()) { bh.consume(s.view()); }}
 *       on a thread already bound to the space (every atlas benchmark binds its threads in a
 *       thread-scoped setup);</li>
 *   <li>{@link #quiescent}: {@code space.quiescent()} on a bound thread with no migration
 *       pending;</li>
 *   <li>{@link #enterCloseQuiescent}: one "request" of a worker loop, both of the above;</li>
 *   <li>{@link #quiescentAfterOneMigration}, {@link #enterCloseQuiescentAfterOneMigration}: the
 *       same as {@link #quiescent} and {@link #enterCloseQuiescent}, but one migration has run
 *       in the JVM (on another space) before the benchmark is compiled, so the classes of the
 *       migration path are loaded when C2 compiles the quiescence point. Compare with the
 *       plain variants, where no migration has happened yet when C2 compiles, as in a process
 *       that has not migrated since it started;</li>
 *   <li>{@link #enterCloseAfterFullGc}: {@link #enterClose} again, but a full GC is forced
 *       before every iteration (after the threads have bound), so the per-thread binding
 *       objects have been moved by the collector. This checks that the
 *       absence of shared-cache-line writes does not depend on where the allocator happened
 *       to put each thread's binding.</li>
 * </ul>
 *
 * <p>Baselines, measured in the same run (the machine is shared and noisy: compare ratios,
 * not absolute numbers):
 * <ul>
 *   <li>{@link #threadLocalField} (a): {@code ThreadLocal.get()} plus reading one field of the
 *       result, the cheapest per-thread indirection a hand-rolled solution would use (the
 *       thread local is an instance field of a shared object, as in {@code ViewSpace});</li>
 *   <li>{@link #plainField} (b): reading one field of a thread-confined object, the floor;</li>
 *   <li>{@link #sharedCounter}: a negative control, {@code AtomicLong.incrementAndGet()} on a
 *       counter shared by all benchmark threads. It shows what writing a shared cache line
 *       looks like when going from one thread to two, so that a flat result for the others
 *       means something.</li>
 * </ul>
 *
 * <p>Every benchmark runs with one thread ({@link OneThread}) and with two threads
 * ({@link TwoThreads}); the target is no slowdown with two threads. Allocation is measured
 * by running with {@code -prof gc} (target: {@code gc.alloc.rate.norm} of 0 B/op, i.e. the
 * ViewScope is scalar-replaced). See docs/benchmarks.md for the commands.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public abstract class ScopeBenchmark {

    /** One space shared by all benchmark threads, plus the hand-rolled baseline's thread local. */
    @State(Scope.Benchmark)
    public static class Shared {
        ViewSpace space;
        /** Same shape as ViewSpace's own: a thread local held in a field of a shared object. */
        ThreadLocal<Holder> local;
        AtomicLong counter;

        @Setup(Level.Trial)
        public void setUp() {
            space = ViewSpace.create("scope-bench");
            View base = space.baseView();
            local = ThreadLocal.withInitial(() -> new Holder(base));
            counter = new AtomicLong();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            space.close();
        }
    }

    /** Per benchmark thread; its setup runs on that thread. */
    @State(Scope.Thread)
    public static class PerThread {
        Holder holder;

        @Setup(Level.Trial)
        public void setUp(Shared shared) {
            holder = new Holder(shared.space.baseView());
        }
    }

    /**
     * Binds the benchmark thread to the space before the first invocation (JMH runs the setup
     * of a thread-scoped state on its thread), so that a benchmark calling only
     * {@code quiescent()} measures a bound thread, not the early return for unbound ones.
     */
    @State(Scope.Thread)
    public static class Bound {
        @Setup(Level.Trial)
        public void bind(Shared shared) {
            shared.space.bindCurrentThread();
        }
    }

    /** Forces a full GC before every iteration (the threads have bound in their trial setup). */
    @State(Scope.Benchmark)
    public static class Compacted {
        @Setup(Level.Iteration)
        public void compact() {
            System.gc();
        }
    }

    /**
     * Runs one real migration (on a throw-away space, on the setup thread) before anything is
     * compiled, so that every class of the migration path is loaded when C2 compiles the
     * benchmark. Without it the JVM has never migrated anything when the hot path is compiled,
     * which is the usual situation of a process that runs for a while before its first
     * migration.
     */
    @State(Scope.Benchmark)
    public static class MigratedOnce {
        @Setup(Level.Trial)
        public void migrateOnce() throws Exception {
            try (ViewSpace tmp = ViewSpace.create("preload")) {
                tmp.bindCurrentThread();
                View next = tmp.derive(tmp.baseView(), "next").publish();
                Migration m = tmp.migrate(next).allThreads().start();
                if (!tmp.quiescent()) {
                    throw new IllegalStateException("the setup thread did not migrate");
                }
                m.await(Duration.ofSeconds(5));
                tmp.unbindCurrentThread();
            }
        }
    }

    /** What a hand-rolled per-thread binding would hold. */
    static final class Holder {
        final View view;

        Holder(View view) {
            this.view = view;
        }
    }

    // ------------------------------------------------------------------ baselines

    @Benchmark
    public void plainField(PerThread t, Blackhole bh) {
        bh.consume(t.holder.view);
    }

    @Benchmark
    public void threadLocalField(Shared s, Blackhole bh) {
        bh.consume(s.local.get().view);
    }

    @Benchmark
    public void sharedCounter(Shared s, Blackhole bh) {
        bh.consume(s.counter.incrementAndGet());
    }

    // ------------------------------------------------------------------ atlas

    @Benchmark
    public void enterClose(Shared s, Bound b, Blackhole bh) {
        try (ViewScope scope = s.space.enter()) {
            bh.consume(scope.view());
        }
    }

    @Benchmark
    public boolean quiescent(Shared s, Bound b) {
        return s.space.quiescent();
    }

    @Benchmark
    public boolean enterCloseQuiescent(Shared s, Bound b, Blackhole bh) {
        try (ViewScope scope = s.space.enter()) {
            bh.consume(scope.view());
        }
        return s.space.quiescent();
    }

    @Benchmark
    public boolean quiescentAfterOneMigration(Shared s, Bound b, MigratedOnce m) {
        return s.space.quiescent();
    }

    @Benchmark
    public boolean enterCloseQuiescentAfterOneMigration(Shared s, Bound b, MigratedOnce m, Blackhole bh) {
        try (ViewScope scope = s.space.enter()) {
            bh.consume(scope.view());
        }
        return s.space.quiescent();
    }

    @Benchmark
    public void enterCloseAfterFullGc(Shared s, Bound b, Compacted c, Blackhole bh) {
        try (ViewScope scope = s.space.enter()) {
            bh.consume(scope.view());
        }
    }

    // ------------------------------------------------------------------ thread counts

    /** All benchmarks above, one thread. */
    @Threads(1)
    public static class OneThread extends ScopeBenchmark {
    }

    /** All benchmarks above, two threads (one per vCPU here). */
    @Threads(2)
    public static class TwoThreads extends ScopeBenchmark {
    }
}
