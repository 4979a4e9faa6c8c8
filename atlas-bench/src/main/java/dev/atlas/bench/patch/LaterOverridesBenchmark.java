package dev.atlas.bench.patch;

import dev.atlas.patch.runtime.LaterOverridesProbe;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeUnit;
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

/**
 * What {@code LaterOverrides} adds to a call of an instance method a patch added: the
 * {@code PatchLinker.linkAdded} call site wraps the view-dispatched call in a selector that
 * compares the receiver's class with the class the method was added to, and on another class
 * looks up the most derived override in a {@code ClassValue}. Measured on a stand-in for the
 * view-dispatched call (a direct handle to the added body, {@link #CALL}), with and without
 * the wrapper ({@link #LINKED}), both constants as in the call site (the JIT inlines them):
 * <ul>
 *   <li>{@link #direct}: the body's handle alone (the baseline);</li>
 *   <li>{@link #wrappedSameClass}: the wrapper, on an object of the class itself (the class comparison);</li>
 *   <li>{@link #wrappedSubclass}: on a subclass without an override ({@code ClassValue} lookup, then the body);</li>
 *   <li>{@link #wrappedOverride}: on a subclass that declares the method (the {@code ClassValue}
 *       lookup, then its own method).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class LaterOverridesBenchmark {
    /** The class a patch added {@code sum} to (the added body is {@link #addedBody}). */
    public static class Adder {
        final long k;

        public Adder(long k) {
            this.k = k;
        }
    }

    /** A subclass without {@code sum}. */
    public static class SubAdder extends Adder {
        public SubAdder(long k) {
            super(k);
        }
    }

    /** A subclass loaded after the apply that declares {@code sum} (compiled against the new release). */
    public static class OverridingAdder extends Adder {
        public OverridingAdder(long k) {
            super(k);
        }

        public long sum(long a, long b) {
            return (a * 41 + b) ^ (k + a);
        }
    }

    /** The added method's body: {@code added$sum(Adder self, long a, long b)}. */
    public static long addedBody(Adder self, long a, long b) {
        return (a * 37 + b) ^ (self.k + a);
    }

    static final MethodHandle CALL;
    static final MethodHandle LINKED;

    static {
        try {
            CALL = MethodHandles.lookup().findStatic(LaterOverridesBenchmark.class, "addedBody",
                    MethodType.methodType(long.class, Adder.class, long.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        LINKED = LaterOverridesProbe.dispatching(Adder.class, "sum", CALL);
    }

    /** Arguments and receivers, per thread. */
    @State(Scope.Thread)
    public static class Args {
        long a = 12345;
        long b = 678;
        Adder same = new Adder(3);
        Adder sub = new SubAdder(3);
        Adder overriding = new OverridingAdder(3);

        /** Fails the run unless each receiver runs the method the new release would. */
        @Setup
        public void check() throws Throwable {
            long body = addedBody(same, a, b);
            long override = ((OverridingAdder) overriding).sum(a, b);
            if ((long) LINKED.invokeExact(same, a, b) != body || (long) LINKED.invokeExact(sub, a, b) != body
                    || (long) LINKED.invokeExact(overriding, a, b) != override || override == body) {
                throw new IllegalStateException("LaterOverrides selected the wrong method");
            }
        }
    }

    @Benchmark
    public long direct(Args x) throws Throwable {
        return (long) CALL.invokeExact(x.same, x.a, x.b);
    }

    @Benchmark
    public long wrappedSameClass(Args x) throws Throwable {
        return (long) LINKED.invokeExact(x.same, x.a, x.b);
    }

    @Benchmark
    public long wrappedSubclass(Args x) throws Throwable {
        return (long) LINKED.invokeExact(x.sub, x.a, x.b);
    }

    @Benchmark
    public long wrappedOverride(Args x) throws Throwable {
        return (long) LINKED.invokeExact(x.overriding, x.a, x.b);
    }
}
