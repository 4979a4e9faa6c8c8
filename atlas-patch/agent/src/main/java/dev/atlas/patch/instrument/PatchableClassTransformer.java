package dev.atlas.patch.instrument;

import java.lang.System.Logger.Level;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The agent's class file transformer: instruments the selected classes when they load (and
 * weaves request boundaries into the other application classes that have some), and
 * again when they are retransformed (the JVM then hands it the original bytes, so the
 * result is the same). A class that cannot be instrumented is left as it was and reported
 * to the error listener; the transformer never throws.
 *
 * <p>Threading: shared; called concurrently by class-loading threads.
 */
public final class PatchableClassTransformer implements ClassFileTransformer {
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    private volatile ClassSelector selector;   // written by reselect (callers serialised), read once per class
    private final CodeInstrumenter instrumenter;
    private final Instrumentation instrumentation;   // null in tests that transform by hand
    private final BiConsumer<String, Throwable> errorListener;
    private final AtomicLong instrumented = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong boundaryOnly = new AtomicLong();

    /**
     * @param errorListener told about every class that could not be instrumented (class name, cause)
     */
    public PatchableClassTransformer(ClassSelector selector, CodeInstrumenter instrumenter, Instrumentation instrumentation,
                                     BiConsumer<String, Throwable> errorListener) {
        this.selector = selector;
        this.instrumenter = instrumenter;
        this.instrumentation = instrumentation;
        this.errorListener = errorListener;
    }

    /** The classes it makes patchable now. */
    public ClassSelector selector() {
        return selector;
    }

    /**
     * Makes the classes {@code next} selects patchable from now on, as they load; the caller
     * retransforms those already loaded. {@code next} is a widening of the current selector
     * ({@link ClassSelector#widenedBy}), or the one it replaced when that widening failed: a class
     * instrumented as patchable stays so, whatever the selector says afterwards.
     *
     * <p>Callers are serialised (the agent's installer); class-loading threads read the selector
     * once per class, so each class is instrumented under one selector or the other.
     */
    public void reselect(ClassSelector next) {
        selector = java.util.Objects.requireNonNull(next, "next");
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className != null && className.contains("$$AtlasPatch$") && isBodyClass(classfileBuffer)) {
            return null;   // a patch's new code (an ordinary class since it keeps its line numbers): never instrumented
        }
        ClassSelector s = selector;
        boolean patchable = s.selects(className, loader);
        if (!patchable && !s.boundaryEligible(className, loader)) {
            return null;
        }
        try {
            byte[] out = instrumenter.instrument(loader, classfileBuffer, patchable);
            if (out != null) {
                readAtlas(module);
                (patchable ? instrumented : boundaryOnly).incrementAndGet();
            }
            return out;
        } catch (Throwable t) {
            if (!patchable) {
                LOG.log(Level.DEBUG, () -> "no request boundary woven into " + className + ": " + t);
                return null;   // not selected: left as it is, quietly
            }
            failed.incrementAndGet();
            LOG.log(Level.DEBUG, () -> "not patchable: " + className + ": " + t);
            try {
                errorListener.accept(className, t);
            } catch (RuntimeException ignored) {
                // a listener must not break class loading
            }
            return null;
        }
    }

    /** A body class is synthetic (BodyGenerator); an added class, also named {@code ..$$AtlasPatch$..}, is not. */
    private static boolean isBodyClass(byte[] bytes) {
        try {
            return java.lang.classfile.ClassFile.of().parse(bytes).flags().has(java.lang.reflect.AccessFlag.SYNTHETIC);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A named application module must read the module of Atlas's runtime to link the guards. */
    private void readAtlas(Module module) {
        Module atlas = PatchableClassTransformer.class.getModule();
        if (instrumentation != null && module != null && module.isNamed() && !module.canRead(atlas)) {
            instrumentation.redefineModule(module, Set.of(atlas), Map.of(), Map.of(), Set.of(), Map.of());
        }
    }

    /** Classes instrumented so far. */
    public long instrumentedCount() {
        return instrumented.get();
    }

    /** Classes the selector does not select that got request boundaries only. */
    public long boundaryOnlyCount() {
        return boundaryOnly.get();
    }

    /** Classes that matched the selector but could not be instrumented. */
    public long failedCount() {
        return failed.get();
    }
}
