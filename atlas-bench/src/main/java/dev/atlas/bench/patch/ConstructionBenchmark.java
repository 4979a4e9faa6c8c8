package dev.atlas.bench.patch;

import dev.atlas.patch.runtime.CodeViews;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Cost of the guards every constructor of a patchable class carries while nothing patches it
 * (the entry guard after {@code super(..)}/{@code this(..)}, and at its entry the argument guard
 * and the re-routing guard, each an {@code invokedynamic} whose target is a constant null):
 * object creation of {@link Small} (one field) and {@link Large} (a superclass, sixteen fields,
 * a {@code this(..)} call) instrumented ({@link GuardedConstructors}) against the same classes
 * as compiled, in one run, so that the ratio {@code unpatched*} / {@code plain*} is measured
 * under one machine load.
 *
 * <p>Each benchmark makes one object through a {@link Maker} (a monomorphic interface call,
 * inlined) and returns it to JMH, so the allocation cannot be removed. Setup checks that the
 * guarded makers build objects of the instrumented classes with the right fields, and the plain
 * ones of the plain classes. Commands and results: docs/benchmarks.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ConstructionBenchmark {
    /** The four makers and a seed read from a field (nothing constant-folded). */
    @State(Scope.Thread)
    public static class Makers {
        public long seed = 12_345L;
        Maker plainSmall;
        Maker plainLarge;
        Maker guardedSmall;
        Maker guardedLarge;

        @Setup
        public void setUp() {
            plainSmall = new Maker.SmallMaker();
            plainLarge = new Maker.LargeMaker();
            GuardedConstructors guarded = GuardedConstructors.load(new CodeViews());
            guardedSmall = guarded.maker(Maker.SmallMaker.class);
            guardedLarge = guarded.maker(Maker.LargeMaker.class);
            check(plainSmall.make(7), false);
            check(plainLarge.make(7), false);
            check(guardedSmall.make(7), true);
            check(guardedLarge.make(7), true);
            if (guarded.instrumentedCount() != 3) {
                throw new IllegalStateException("expected Small, Large and LargeBase instrumented, got "
                        + guarded.instrumentedCount());
            }
        }

        /** An object of the expected loader's class with the fields its constructor sets from 7. */
        static void check(Object o, boolean guarded) {
            boolean inGuardedLoader = o.getClass().getClassLoader() instanceof GuardedConstructors;
            if (inGuardedLoader != guarded) {
                throw new IllegalStateException(o.getClass() + " from " + o.getClass().getClassLoader());
            }
            boolean small = o.getClass().getSimpleName().equals("Small");
            long expected = small ? 7 : new Large(7).sum();
            long actual;
            try {
                actual = (long) o.getClass().getMethod(small ? "a" : "sum").invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (actual != expected) {
                throw new IllegalStateException(o.getClass() + " built wrongly: " + actual + ", expected " + expected);
            }
        }
    }

    @Benchmark
    public Object plainSmall(Makers s) {
        return s.plainSmall.make(s.seed);
    }

    @Benchmark
    public Object unpatchedSmall(Makers s) {
        return s.guardedSmall.make(s.seed);
    }

    @Benchmark
    public Object plainLarge(Makers s) {
        return s.plainLarge.make(s.seed);
    }

    @Benchmark
    public Object unpatchedLarge(Makers s) {
        return s.guardedLarge.make(s.seed);
    }
}
