package dev.atlas.bench.patch;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the foreign entry guard costs a JDK method: {@code Object.equals} and
 * {@code Object.toString} called on objects of three classes, in a JVM where
 * ({@link Jvm#guard}):
 * <ul>
 *   <li>{@code unguarded}: no patch; the JDK methods as shipped (the baseline);</li>
 *   <li>{@code guarded}: a patch that adds {@code equals} and {@code toString} to
 *       {@link GuardedPoint} is applied ({@link ForeignGuardFixture}), so both methods of
 *       {@code java.lang.Object} start with the guard, and the calling thread is in the patch's view;</li>
 *   <li>{@code rolledBack}: the same patch applied and rolled back, its view retired: the guard
 *       stays in the JDK methods (for the life of the class), inert: no view overrides anything.</li>
 * </ul>
 * The classes: {@link PlainPoint}, which no patch touches (every object of the JVM but the
 * patched class's pays what it pays); {@link GuardedPoint}, the patched class (in
 * {@code guarded} its calls run the patch's new overrides through the view's dispatcher; else
 * {@code Object}'s bodies); {@link CompiledPoint}, the new release's class with the same
 * overrides compiled in (the reference for the patched class, and a control: no guard is on
 * its path in any state). Each state runs in a fork of its own (JMH forks per parameter value);
 * ratios are taken against {@code unguarded} of the same run.
 *
 * <p>The fork attaches to itself to get its {@code Instrumentation} ({@link SelfAttach}), as
 * the agent would have it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"})
public class ForeignGuardBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** The JVM's state, and one object of each class with an equal second one to compare to. */
    @State(Scope.Benchmark)
    public static class Jvm {
        @Param({"unguarded", "guarded", "rolledBack"})
        public String guard;

        Object plain;
        Object plainOther;
        Object patched;
        Object patchedOther;
        Object compiled;
        Object compiledOther;

        @Setup
        public void setup() throws Exception {
            ForeignGuardFixture f = ForeignGuardFixture.load();
            patched = f.newPoint(7);
            patchedOther = f.newPoint(7);
            plain = new PlainPoint(7);
            plainOther = new PlainPoint(7);
            compiled = new CompiledPoint(7);
            compiledOther = new CompiledPoint(7);
            switch (guard) {
                case "unguarded" -> { }
                case "guarded" -> f.apply(TIMEOUT);
                case "rolledBack" -> {
                    f.apply(TIMEOUT);
                    f.rollback(TIMEOUT);
                }
                default -> throw new IllegalArgumentException("guard '" + guard + "', expected unguarded, guarded or rolledBack");
            }
            boolean overridden = guard.equals("guarded");
            check(patched.equals(patchedOther) == overridden, "GuardedPoint.equals of two equal points");
            check(patched.toString().equals("Point(7)") == overridden, "GuardedPoint.toString: " + patched);
            check(!plain.equals(plainOther) && plain.toString().startsWith(PlainPoint.class.getName() + "@"), "PlainPoint");
            check(compiled.equals(compiledOther) && compiled.toString().equals("Point(7)"), "CompiledPoint");
            check(ForeignGuardFixture.bridgeDefined() == !guard.equals("unguarded"), "java.lang.AtlasForeignGuard defined");
            check(ForeignGuardFixture.equalsGuardDispatching() == overridden, "Object.equals's guard asking the views");
        }

        private void check(boolean ok, String what) {
            if (!ok) {
                throw new IllegalStateException("state '" + guard + "': wrong outcome of " + what);
            }
        }
    }

    @Benchmark
    public boolean equalsUnpatchedClass(Jvm j) {
        return j.plain.equals(j.plainOther);
    }

    @Benchmark
    public String toStringUnpatchedClass(Jvm j) {
        return j.plain.toString();
    }

    @Benchmark
    public boolean equalsPatchedClass(Jvm j) {
        return j.patched.equals(j.patchedOther);
    }

    @Benchmark
    public String toStringPatchedClass(Jvm j) {
        return j.patched.toString();
    }

    @Benchmark
    public boolean equalsCompiledOverride(Jvm j) {
        return j.compiled.equals(j.compiledOther);
    }

    @Benchmark
    public String toStringCompiledOverride(Jvm j) {
        return j.compiled.toString();
    }
}
