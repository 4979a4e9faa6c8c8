package dev.atlas.bench.patch;

import dev.atlas.core.View;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.runtime.CodeViews;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Call cost of a patchable method ({@link Target#m}: a few arithmetic operations on two
 * arguments and a field), in the states atlas-patch puts it in, with references measured in
 * the same run (the machine is shared and noisy: compare ratios, not absolute numbers).
 *
 * <ol>
 *   <li>{@code plain}: {@link Target} loaded normally, not instrumented;</li>
 *   <li>{@code unpatched}: the same bytes instrumented by {@code CodeInstrumenter} (entry
 *       guard: an {@code invokedynamic} whose target is a constant null), no patch;</li>
 *   <li>{@code patched}: the patch of {@link PatchedTarget} applied, the calling thread in its
 *       view: the guard reads the thread's view and its code table and calls the new body
 *       through {@code MethodHandle.invokeExact};</li>
 *   <li>3b. {@code patchedNotNewest}: as 3, but the thread's view is that of a patch that is no
 *       longer the newest patch of the method, so its handle is not the one the invoke site's
 *       inline cache holds (the generic {@code invokeExact});</li>
 *   <li>{@code rolledBack}: the patch applied and rolled back, every thread in the base view:
 *       the guard stays on (guards are never switched off) and finds no entry;</li>
 *   <li>references, doing the same work as the patched body:
 *       {@code refThreadLocal}: a {@code ThreadLocal.get()} and an interface call
 *       (the "a thread-local read and an indirect call"; the thread local is an instance
 *       field of a shared object, as in {@code ViewSpace}); {@code refThreadLocalHandle}: a
 *       {@code ThreadLocal.get()} and {@code invokeExact} of the non-constant handle found;</li>
 *   <li>{@code overriddenOther}/{@code overriddenSub}: a patch adding an override of {@code m} to
 *       {@link SubTarget} applied: the call on a {@link Target} (the dispatcher's class test fails,
 *       the original body runs) and on a {@link SubTarget} (the override runs).</li>
 * </ol>
 *
 * <p>Each comes in two call shapes: the call made in the benchmark method (where the JIT
 * inlines {@code m}), and {@code *Call}, the call made in a {@link CompilerControl.Mode#DONT_INLINE}
 * wrapper, so that a real call happens per operation and nothing can be hoisted out of
 * JMH's loop. The arguments come from a thread-scoped state and the result is returned to JMH
 * (consumed by its blackhole). Every state checks in its setup that the call returns what
 * its body should ({@link PatchedTarget#original} or {@link PatchedTarget#patched}), so a
 * broken setup fails the run instead of measuring the wrong thing.
 *
 * <p>Each benchmark runs in its own fork, so at most one of the states that touch
 * {@link CodeViews} (a process-wide singleton) exists per JVM. Every benchmark runs with one
 * thread ({@link OneThread}) and two ({@link TwoThreads}): the patched path writes no shared
 * memory, so two threads should cost what one does. Use {@code -prof gc} for allocation.
 * See docs/benchmarks.md for the commands and results.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public abstract class PatchCallBenchmark {
    static final long K = 1_000_003L;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Arguments, per thread, read from fields so that nothing is constant-folded. */
    @State(Scope.Thread)
    public static class Args {
        public long a = 12_345L;
        public long b = 678L;
    }

    /** 1: {@link Target} as compiled. */
    @State(Scope.Benchmark)
    public static class Plain {
        Op op;

        @Setup
        public void setup() {
            op = new Target(K);
            expect(op, false);
        }
    }

    /** 2: instrumented, no patch: the guard's target is a constant null. */
    @State(Scope.Benchmark)
    public static class Unpatched {
        Op op;

        @Setup
        public void setup() {
            PatchedTarget t = PatchedTarget.load();
            op = t.newInstance(K);
            expect(op, false);
            if (t.slot().isActive()) {
                throw new IllegalStateException("the guard of " + t.slot() + " is active before any patch");
            }
        }
    }

    /** 3: the patch applied; threads of the code space (all detached) are in its view. */
    @State(Scope.Benchmark)
    public static class Patched {
        Op op;

        @Setup
        public void setup() throws Exception {
            PatchedTarget t = PatchedTarget.load();
            op = t.newInstance(K);
            expect(op, false);
            t.apply(TIMEOUT);
            expect(op, true);
        }
    }

    /**
     * 3b: the patch applied, then a second patch of the same method on top; each calling thread
     * switches back to the first patch's view (thread-scoped setup), so its guard finds the
     * first patch's handle while the invoke site caches the second's: the generic
     * {@code invokeExact} path.
     */
    @State(Scope.Benchmark)
    public static class PatchedNotNewest {
        Op op;
        View first;

        @Setup
        public void setup() throws Exception {
            PatchedTarget t = PatchedTarget.load();
            op = t.newInstance(K);
            first = t.apply(TIMEOUT).target();
            PatchedTarget.apply(t.patchOnTop("be7c000000000002"), TIMEOUT);
            expect(op, true);
        }
    }

    /** Puts each benchmark thread of {@link PatchedNotNewest} in the first patch's view. */
    @State(Scope.Thread)
    public static class InFirstView {
        @Setup
        public void setup(PatchedNotNewest s) {
            PatchedTarget.views().space().switchCurrentThread(s.first);
            expect(s.op, true);
        }
    }

    /** 4: the patch applied, then rolled back: the guard is on, the thread's view has no entry. */
    @State(Scope.Benchmark)
    public static class RolledBack {
        Op op;

        @Setup
        public void setup() throws Exception {
            PatchedTarget t = PatchedTarget.load();
            op = t.newInstance(K);
            t.apply(TIMEOUT);
            expect(op, true);
            PatchedTarget.rollback(TIMEOUT);
            expect(op, false);
            if (!t.slot().isActive()) {
                throw new IllegalStateException("the guard of " + t.slot() + " is not active after the patch");
            }
        }
    }

    /**
     * 6: a patch that adds an override of {@code m} to {@link SubTarget} applied: in its view
     * {@code Target.m}'s entry is a dispatcher on the receiver's class. {@code op} is a
     * {@link Target} (the dispatcher's test fails: the original body, through a one-shot
     * request to the guard), {@code sub} a {@link SubTarget} (the added override's body).
     */
    @State(Scope.Benchmark)
    public static class Overridden {
        Op op;
        Op sub;

        @Setup
        public void setup() throws Exception {
            PatchedTarget t = PatchedTarget.load();
            Patch p = t.overridePatch();
            op = t.newInstance(K);
            sub = PatchedTarget.newSubInstance(K);
            expect(sub, false);
            PatchedTarget.apply(p, TIMEOUT);
            expect(op, false);
            long want = PatchedTarget.overridden(K, 1, 2);
            if (sub.m(1, 2) != want) {
                throw new IllegalStateException("the override returned " + sub.m(1, 2) + ", expected " + want);
            }
        }
    }

    /** The reference's indirect call: an interface with one implementation, doing the patched work. */
    interface Body {
        long m(Target self, long a, long b);
    }

    static final class PatchedBody implements Body {
        @Override
        public long m(Target self, long a, long b) {
            return patchedWork(self, a, b);
        }
    }

    static long patchedWork(Target self, long a, long b) {
        return (a * 37 + b) ^ (self.k + a);
    }

    /** 5: a thread local holding the body (interface) or its method handle, as a hand-rolled dispatcher would. */
    @State(Scope.Benchmark)
    public static class Reference {
        final Target target = new Target(K);
        final ThreadLocal<Body> bodies = ThreadLocal.withInitial(PatchedBody::new);
        final ThreadLocal<MethodHandle> handles = ThreadLocal.withInitial(Reference::handle);

        private static MethodHandle handle() {
            try {
                return MethodHandles.lookup().findStatic(PatchCallBenchmark.class, "patchedWork",
                        MethodType.methodType(long.class, Target.class, long.class, long.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        @Setup
        public void setup() throws Throwable {
            long want = PatchedTarget.patched(K, 1, 2);
            long viaBody = bodies.get().m(target, 1, 2);
            long viaHandle = (long) handles.get().invokeExact(target, 1L, 2L);
            if (viaBody != want || viaHandle != want) {
                throw new IllegalStateException("reference returned " + viaBody + " / " + viaHandle + ", expected " + want);
            }
        }
    }

    static void expect(Op op, boolean patched) {
        long want = patched ? PatchedTarget.patched(K, 1, 2) : PatchedTarget.original(K, 1, 2);
        long got = op.m(1, 2);
        if (got != want) {
            throw new IllegalStateException(op.getClass() + " (loader " + op.getClass().getClassLoader() + ") returned "
                    + got + ", expected the " + (patched ? "patched" : "original") + " result " + want
                    + "; code views: " + PatchedTarget.views().space().describe());
        }
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    static long call(Op op, long a, long b) {
        return op.m(a, b);
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    static long callBody(ThreadLocal<Body> bodies, Target target, long a, long b) {
        return bodies.get().m(target, a, b);
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    static long callHandle(ThreadLocal<MethodHandle> handles, Target target, long a, long b) throws Throwable {
        return (long) handles.get().invokeExact(target, a, b);
    }

    @Benchmark
    public long plain(Plain s, Args x) {
        return s.op.m(x.a, x.b);
    }

    @Benchmark
    public long plainCall(Plain s, Args x) {
        return call(s.op, x.a, x.b);
    }

    @Benchmark
    public long unpatched(Unpatched s, Args x) {
        return s.op.m(x.a, x.b);
    }

    @Benchmark
    public long unpatchedCall(Unpatched s, Args x) {
        return call(s.op, x.a, x.b);
    }

    @Benchmark
    public long patched(Patched s, Args x) {
        return s.op.m(x.a, x.b);
    }

    @Benchmark
    public long patchedCall(Patched s, Args x) {
        return call(s.op, x.a, x.b);
    }

    @Benchmark
    public long patchedNotNewest(PatchedNotNewest s, InFirstView v, Args x) {
        return s.op.m(x.a, x.b);
    }

    @Benchmark
    public long patchedNotNewestCall(PatchedNotNewest s, InFirstView v, Args x) {
        return call(s.op, x.a, x.b);
    }

    @Benchmark
    public long rolledBack(RolledBack s, Args x) {
        return s.op.m(x.a, x.b);
    }

    @Benchmark
    public long rolledBackCall(RolledBack s, Args x) {
        return call(s.op, x.a, x.b);
    }

    @Benchmark
    public long refThreadLocal(Reference r, Args x) {
        return r.bodies.get().m(r.target, x.a, x.b);
    }

    @Benchmark
    public long refThreadLocalCall(Reference r, Args x) {
        return callBody(r.bodies, r.target, x.a, x.b);
    }

    @Benchmark
    public long refThreadLocalHandle(Reference r, Args x) throws Throwable {
        return (long) r.handles.get().invokeExact(r.target, x.a, x.b);
    }

    @Benchmark
    public long refThreadLocalHandleCall(Reference r, Args x) throws Throwable {
        return callHandle(r.handles, r.target, x.a, x.b);
    }

    @Benchmark
    public long overriddenOther(Overridden s, Args x) {
        return s.op.m(x.a, x.b);
    }

    @Benchmark
    public long overriddenOtherCall(Overridden s, Args x) {
        return call(s.op, x.a, x.b);
    }

    @Benchmark
    public long overriddenSub(Overridden s, Args x) {
        return s.sub.m(x.a, x.b);
    }

    @Benchmark
    public long overriddenSubCall(Overridden s, Args x) {
        return call(s.sub, x.a, x.b);
    }

    @Threads(1)
    public static class OneThread extends PatchCallBenchmark {}

    @Threads(2)
    public static class TwoThreads extends PatchCallBenchmark {}
}
