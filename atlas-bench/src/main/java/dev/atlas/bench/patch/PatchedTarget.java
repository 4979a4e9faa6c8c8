package dev.atlas.bench.patch;

import dev.atlas.core.MigrationTimeoutException;
import dev.atlas.patch.classfile.ClassFingerprint;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.MethodRegistry;
import dev.atlas.patch.runtime.MethodSlot;
import dev.atlas.patch.runtime.PatchPipeline;
import dev.atlas.patch.jit.JitPriorityWindow;
import dev.atlas.patch.runtime.PatchApplication;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An instrumented copy of {@link Target} and a patch that replaces {@link Target#m}, applied
 * through the real runtime ({@link CodeViews}): the fixture of {@code PatchCallBenchmark}.
 *
 * {@snippet class=dev.atlas.bench.snippets.BenchSnippets region=patched-target}
 *
 * <p>The patch is built as the patch builder would (see docs/design/patch-contract.md): its
 * body class {@code dev.atlas.bench.patch.Target$$AtlasPatch$be7c000000000001} is compiled from source
 * with {@code javax.tools} and holds {@code public static long replaced$m(Target self, long a,
 * long b)}, which does the same work as {@code m} with another constant.
 *
 * <p>Implementation notes. The instrumented bytes are defined in this class's own loader
 * (with {@code Lookup.defineClass}), as the agent does for application classes, and not in
 * a separate class loader: {@code PatchPreparer} defines the body class with
 * {@code privateLookupIn(Target, lookup()).defineHiddenClass(..)}, which needs full privilege
 * access, and a lookup from atlas-patch's unnamed module into a class of another loader's
 * unnamed module lacks MODULE access ({@code IllegalAccessException: ... does not have full
 * privilege access}). So in one JVM, {@link Target} is either instrumented (after
 * {@link #load()}) or not (when loaded normally), never both. The fixture's
 * {@link CodeViews} ({@link #views()}) are one per JVM; {@link #apply} fails if the patch is
 * already applied.
 */
public final class PatchedTarget {
    /** The pipeline the benchmarks apply through (JIT window off: the benchmark measures calls, not the window). */
    static final PatchPipeline PIPELINE = new PatchPipeline(new CodeViews(), JitPriorityWindow.off());
    public static final String TARGET = "dev.atlas.bench.patch.Target";

    /** The code views the fixture instruments {@link Target} for and applies its patches through. */
    public static CodeViews views() {
        return PIPELINE.views();
    }

    public static final String PATCH_ID = "be7c000000000001";
    static final String BODY = TARGET + "$$AtlasPatch$" + PATCH_ID;

    private static final String BODY_SOURCE = """
            package dev.atlas.bench.patch;

            public final class Target$$AtlasPatch$be7c000000000001 {
                private Target$$AtlasPatch$be7c000000000001() {}

                public static long replaced$m(Target self, long a, long b) {
                    return (a * 37 + b) ^ (self.k + a);
                }
            }
            """;

    private static PatchedTarget loaded;   // guarded by PatchedTarget.class

    private final Class<?> instrumented;
    private final MethodSlot slot;
    private final Patch patch;

    private PatchedTarget(Class<?> instrumented, MethodSlot slot, Patch patch) {
        this.instrumented = instrumented;
        this.slot = slot;
        this.patch = patch;
    }

    /** What {@link Target#m} returns. */
    public static long original(long k, long a, long b) {
        return (a * 31 + b) ^ (k + a);
    }

    /** What the patched {@link Target#m} returns. */
    public static long patched(long k, long a, long b) {
        return (a * 37 + b) ^ (k + a);
    }

    /**
     * Instruments {@link Target} and defines it in this class's own loader, once per JVM (no
     * agent); builds the patch.
     *
     * @throws IllegalStateException if {@link Target} was already loaded (un-instrumented) by
     *         that loader: call this before anything in the JVM touches {@link Target}
     */
    public static synchronized PatchedTarget load() {
        if (loaded == null) {
            loaded = instrumentAndDefine();
        }
        return loaded;
    }

    private static PatchedTarget instrumentAndDefine() {
        ClassLoader loader = PatchedTarget.class.getClassLoader();
        MethodRegistry registry = views().registry();
        byte[] original = classBytes(loader, TARGET);
        byte[] instrumentedBytes = new CodeInstrumenter(registry, new BoundaryMatcher(List.of())).instrument(loader, original);
        if (instrumentedBytes == null) {
            throw new IllegalStateException(TARGET + " has no patchable method to instrument");
        }
        Class<?> c;
        try {
            c = MethodHandles.lookup().defineClass(instrumentedBytes);
        } catch (LinkageError e) {
            throw new IllegalStateException(TARGET + " is already loaded, un-instrumented, by " + loader
                    + ": PatchedTarget.load() must run before anything uses that class", e);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        String internal = TARGET.replace('.', '/');
        MethodSlot slot = registry.loaded(internal).stream()
                .filter(i -> i.loader() == loader)
                .flatMap(i -> i.methods().stream())
                .filter(s -> s.name().equals("m") && s.descriptor().equals("(JJ)J"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no patchable slot for " + TARGET + "#m(JJ)J"));
        byte[] body = BodyCompiler.compile(BODY, BODY_SOURCE, Map.of(
                TARGET, original,
                Op.class.getName(), classBytes(loader, Op.class.getName())));
        String fingerprint = ClassFingerprint.of(original);
        Patch patch = new Patch(1, PATCH_ID, "Target.m with 37 instead of 31 (benchmark)", List.of(
                new ClassPatch(internal, fingerprint, new StringBuilder(fingerprint).reverse().toString(),
                        List.of(new MethodChange(MethodChange.Kind.REPLACED, "m", "(JJ)J", false, "replaced$m")),
                        List.of(), body, null)),
                List.of());
        return new PatchedTarget(c, slot, patch);
    }

    static final String SUB = "dev.atlas.bench.patch.SubTarget";
    static final String OVERRIDE_ID = "be7c0000000000a1";

    /** What the override that {@link #overridePatch()} adds to {@link SubTarget} returns. */
    public static long overridden(long k, long a, long b) {
        return (a * 41 + b) ^ (k + a);
    }

    /**
     * Instruments and defines {@link SubTarget} (after {@link #load()}, before anything else
     * touches it) and returns a patch that adds it an override of {@code m}: in the patch's
     * view, calls of {@code Target.m} dispatch on the receiver's class.
     */
    public synchronized Patch overridePatch() {
        ClassLoader loader = PatchedTarget.class.getClassLoader();
        byte[] original = classBytes(loader, SUB);
        byte[] bytes = new CodeInstrumenter(views().registry(), new BoundaryMatcher(List.of())).instrument(loader, original);
        try {
            MethodHandles.lookup().defineClass(bytes == null ? original : bytes);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        String body = SUB + "$$AtlasPatch$" + OVERRIDE_ID;
        byte[] bodyClass = BodyCompiler.compile(body, """
                package dev.atlas.bench.patch;

                public final class SubTarget$$AtlasPatch$be7c0000000000a1 {
                    private SubTarget$$AtlasPatch$be7c0000000000a1() {}

                    public static long added$m(SubTarget self, long a, long b) {
                        return (a * 41 + b) ^ (self.k + a);
                    }
                }
                """, Map.of(TARGET, classBytes(loader, TARGET), SUB, original, Op.class.getName(),
                classBytes(loader, Op.class.getName())));
        String fingerprint = ClassFingerprint.of(original);
        return new Patch(1, OVERRIDE_ID, "SubTarget.m added, overriding Target.m (benchmark)", List.of(
                new ClassPatch(SUB.replace('.', '/'), fingerprint, new StringBuilder(fingerprint).reverse().toString(),
                        List.of(new MethodChange(MethodChange.Kind.ADDED, "m", "(JJ)J", false, "added$m")),
                        List.of(), bodyClass, null)),
                List.of());
    }

    /** A new instance of the instrumented {@link SubTarget} (after {@link #overridePatch()}). */
    public static Op newSubInstance(long k) {
        try {
            return (Op) Class.forName(SUB).getConstructor(long.class).newInstance(k);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate " + SUB, e);
        }
    }

    /** The class file of {@code binaryName} as {@code loader} finds it. */
    static byte[] classBytes(ClassLoader loader, String binaryName) {
        String resource = binaryName.replace('.', '/') + ".class";
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(binaryName + ": no resource " + resource + " in " + loader);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** A new instance of the instrumented {@link Target}. */
    public Op newInstance(long k) {
        try {
            return (Op) instrumented.getConstructor(long.class).newInstance(k);
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException
                 | InvocationTargetException e) {
            throw new IllegalStateException("cannot instantiate the instrumented " + TARGET, e);
        }
    }

    /** The instrumented class. */
    public Class<?> instrumentedClass() {
        return instrumented;
    }

    /** The entry guard's slot of {@code Target.m}. */
    public MethodSlot slot() {
        return slot;
    }

    public Patch patch() {
        return patch;
    }

    /**
     * A second patch of {@code Target.m}, applicable on top of {@link #patch()} (same body,
     * other id): its handle is another one, so it is the one the invoke site caches.
     */
    public Patch patchOnTop(String id) {
        ClassPatch first = patch.classes().getFirst();
        return new Patch(1, id, "Target.m again, on top of " + PATCH_ID + " (benchmark)", List.of(
                new ClassPatch(first.className(), first.newFingerprint(), "%064x".formatted(Math.abs((long) id.hashCode())),
                        first.methods(), List.of(), first.bodyClass(), null)),
                List.of());
    }

    /**
     * Applies {@code p}, waits until every thread of the code space is in its view, and installs
     * the invoke sites' inline caches at once (the runtime does it a second later), so that a
     * benchmark's warm-up iterations already run the code it measures.
     */
    public static PatchApplication apply(Patch p, Duration timeout) throws InterruptedException, MigrationTimeoutException {
        PatchApplication a = PIPELINE.apply(p);
        a.migration().await(timeout);
        views().installInlineCaches();
        return a;
    }

    /** Applies the patch and waits until every thread of the code space is in its view. */
    public PatchApplication apply(Duration timeout) throws InterruptedException, MigrationTimeoutException {
        return apply(patch, timeout);
    }

    /** Rolls back the newest patch and waits until every thread is back in the previous view. */
    public static PatchApplication rollback(Duration timeout) throws InterruptedException, MigrationTimeoutException {
        PatchApplication a = PIPELINE.rollback();
        a.migration().await(timeout);
        views().installInlineCaches();
        return a;
    }
}
