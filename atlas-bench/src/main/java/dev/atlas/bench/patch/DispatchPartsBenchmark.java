package dev.atlas.bench.patch;

import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.patch.runtime.CodeTable;
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

import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

/**
 * The patched entry guard taken apart, to see where {@code PatchCallBenchmark.patched}
 * spends its time: each benchmark does one more step of {@code Dispatch.override} than the
 * one before, on a thread in the patch's view, and returns what it got (the steps are the
 * ones the JIT inlines into the guard; see docs/benchmarks.md):
 * <ol>
 *   <li>{@link #currentForCall}: {@code space.currentForCall()} (a ThreadLocal read, a volatile read);</li>
 *   <li>{@link #viewTable}: and {@code View.get(CodeViews.CODE)} (an acquire read of the view's
 *       lifecycle word, the map lookup, a class cast);</li>
 *   <li>{@link #lookup}: and {@code CodeTable.handle(id)}: all of {@code Dispatch.override};</li>
 *   <li>{@link #invokeHandle}: only the call of the patched body's handle, found once in setup
 *       and read from a field ({@code invokeExact} of a non-constant handle);</li>
 *   <li>{@link #threadLocalGet}: the reference's {@code ThreadLocal.get()} alone;</li>
 *   <li>{@link #sketchViewCache}: not atlas code, a sketch of a possible guard: an inline cache
 *       keyed by the thread's view ({@code currentForCall() == V}, then the body of V's
 *       override called directly), i.e. what a guard would cost that skips {@code View.get}
 *       and the table probe for the cached view.</li>
 * </ol>
 * Same fork and iteration settings as {@code PatchCallBenchmark}, one thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DispatchPartsBenchmark {

    /** The patch applied (see {@link PatchCallBenchmark.Patched}); what the guard reads, taken out. */
    @State(Scope.Benchmark)
    public static class Parts {
        ViewSpace space;
        View view;
        int id;
        MethodHandle handle;
        Target target;

        @Setup
        public void setup(PatchCallBenchmark.Patched patched) {
            space = PatchedTarget.views().space();
            view = space.currentForCall();
            id = PatchedTarget.load().slot().id();
            handle = space.currentForCall().get(CodeViews.CODE).handle(id);
            target = (Target) patched.op;
            if (handle == null) {
                throw new IllegalStateException("the calling thread's view does not override " + PatchedTarget.load().slot());
            }
        }
    }

    @Benchmark
    public Object currentForCall(Parts p) {
        return p.space.currentForCall();
    }

    @Benchmark
    public CodeTable viewTable(Parts p) {
        return p.space.currentForCall().get(CodeViews.CODE);
    }

    @Benchmark
    public MethodHandle lookup(Parts p) {
        return p.space.currentForCall().get(CodeViews.CODE).handle(p.id);
    }

    @Benchmark
    public long invokeHandle(Parts p, PatchCallBenchmark.Args x) throws Throwable {
        return (long) p.handle.invokeExact(p.target, x.a, x.b);
    }

    @Benchmark
    public long sketchViewCache(Parts p, PatchCallBenchmark.Args x) throws Throwable {
        if (p.space.currentForCall() == p.view) {
            return PatchCallBenchmark.patchedWork(p.target, x.a, x.b);
        }
        return (long) p.handle.invokeExact(p.target, x.a, x.b);
    }

    @Benchmark
    public Object threadLocalGet(PatchCallBenchmark.Reference r) {
        return r.bodies.get();
    }
}
