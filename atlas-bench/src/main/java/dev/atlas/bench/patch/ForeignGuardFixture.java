package dev.atlas.bench.patch;

import dev.atlas.core.MigrationTimeoutException;
import dev.atlas.core.observe.SpaceListener;
import dev.atlas.patch.classfile.ClassFingerprint;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.instrument.NewPackageDefiner;
import dev.atlas.patch.instrument.RetransformingMethodGuards;
import dev.atlas.patch.jit.JitPriorityWindow;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.PatchApplication;
import dev.atlas.patch.runtime.PatchPipeline;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The fixture of {@code ForeignGuardBenchmark}: {@link GuardedPoint} instrumented as the agent
 * does, and a patch that adds {@code equals(Object)} and {@code toString()} to it, new overrides
 * of {@link Object}'s methods. Applying it through code views with the agent's real
 * {@link RetransformingMethodGuards} retransforms {@code java.lang.Object}: {@code Object.equals}
 * and {@code Object.toString} start with the foreign entry guard (a call of
 * {@code java.lang.AtlasForeignGuard$<key>.find}), for every object in the JVM; it asks the views
 * while the patch's view is live, and is inert (a constant the JIT folds) before the first apply
 * and once the patch's view retired after a rollback.
 *
 * <p>One per JVM ({@link #load}); the instrumentation is the JVM's own ({@link SelfAttach}).
 */
public final class ForeignGuardFixture {
    static final String POINT = "dev.atlas.bench.patch.GuardedPoint";   // not GuardedPoint.class: that would load it
    static final String PATCH_ID = "be7c00e100000000";
    static final String BODY = POINT + "$$AtlasPatch$" + PATCH_ID.substring(0, 8);
    private static final String BODY_SOURCE = """
            package dev.atlas.bench.patch;

            public final class GuardedPoint$$AtlasPatch$be7c00e1 {
                private GuardedPoint$$AtlasPatch$be7c00e1() {}

                public static boolean added$equals(GuardedPoint self, Object o) {
                    return o instanceof GuardedPoint p && p.x() == self.x();
                }

                public static String added$toString(GuardedPoint self) {
                    return "Point(" + self.x() + ")";
                }
            }
            """;

    private static ForeignGuardFixture loaded;   // guarded by ForeignGuardFixture.class

    private final PatchPipeline pipeline;
    private final Class<?> point;
    private final Patch patch;

    private ForeignGuardFixture(PatchPipeline pipeline, Class<?> point, Patch patch) {
        this.pipeline = pipeline;
        this.point = point;
        this.patch = patch;
    }

    /** Instruments and defines {@link GuardedPoint} (before anything else loads it) and builds the patch. */
    public static synchronized ForeignGuardFixture load() {
        if (loaded != null) {
            return loaded;
        }
        Instrumentation inst = SelfAttach.instrumentation();
        NewPackageDefiner packages = new NewPackageDefiner(inst);
        CodeViews views = new CodeViews(packages, new RetransformingMethodGuards(inst, packages));
        PatchPipeline pipeline = new PatchPipeline(views, JitPriorityWindow.off());
        ClassLoader loader = ForeignGuardFixture.class.getClassLoader();
        byte[] original = PatchedTarget.classBytes(loader, POINT);
        byte[] bytes = new CodeInstrumenter(views.registry(), new BoundaryMatcher(List.of())).instrument(loader, original);
        if (bytes == null) {
            throw new IllegalStateException(POINT + " has no patchable method to instrument");
        }
        Class<?> c;
        try {
            c = MethodHandles.lookup().defineClass(bytes);
        } catch (LinkageError e) {
            throw new IllegalStateException(POINT + " is already loaded, un-instrumented: load() must come first", e);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        byte[] body = BodyCompiler.compile(BODY, BODY_SOURCE, Map.of(POINT, original));
        String fingerprint = ClassFingerprint.of(original);
        Patch patch = new Patch(1, PATCH_ID, "GuardedPoint.equals and toString added, overriding Object's (benchmark)",
                List.of(new ClassPatch(POINT.replace('.', '/'), fingerprint, new StringBuilder(fingerprint).reverse().toString(),
                        List.of(new MethodChange(MethodChange.Kind.ADDED, "equals", "(Ljava/lang/Object;)Z", false, "added$equals"),
                                new MethodChange(MethodChange.Kind.ADDED, "toString", "()Ljava/lang/String;", false,
                                        "added$toString")),
                        List.of(), body, null)),
                List.of());
        loaded = new ForeignGuardFixture(pipeline, c, patch);
        return loaded;
    }

    /** A new instance of the instrumented {@link GuardedPoint}. */
    public Object newPoint(int x) {
        try {
            return point.getConstructor(int.class).newInstance(x);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate the instrumented " + POINT, e);
        }
    }

    /** Applies the patch and waits until every thread of the code space is in its view. */
    public PatchApplication apply(Duration timeout) throws InterruptedException, MigrationTimeoutException {
        PatchApplication a = pipeline.apply(patch);
        a.migration().await(timeout);
        pipeline.views().installInlineCaches();
        return a;
    }

    /**
     * Rolls the patch back and waits until every thread is back in the view before it and the
     * patch's view retired (its retirement is what switches the JDK methods' guards off).
     */
    public PatchApplication rollback(Duration timeout) throws InterruptedException, MigrationTimeoutException {
        CountDownLatch retired = new CountDownLatch(1);
        long patchView = pipeline.views().space().defaultView().id();
        SpaceListener l = new SpaceListener() {
            @Override
            public void viewRetired(ViewRetired event) {
                if (event.viewId() == patchView) {
                    retired.countDown();
                }
            }
        };
        pipeline.views().space().addListener(l);
        try {
            PatchApplication a = pipeline.rollback();
            a.migration().await(timeout);
            pipeline.views().installInlineCaches();
            if (!retired.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the patch's view did not retire within " + timeout);
            }
            return a;
        } finally {
            pipeline.views().space().removeListener(l);
        }
    }

    /** Whether {@code Object.equals}'s guard asks the views now (false: inert, or no guard). */
    public static boolean equalsGuardDispatching() {
        return RetransformingMethodGuards.dispatching(Object.class, "equals", "(Ljava/lang/Object;)Z");
    }

    /** Whether {@code java.lang.AtlasForeignGuard}, defined with the first guard of a JDK method, is defined. */
    public static boolean bridgeDefined() {
        try {
            Class.forName("java.lang.AtlasForeignGuard", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
