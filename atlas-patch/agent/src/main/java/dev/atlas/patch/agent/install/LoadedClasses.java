package dev.atlas.patch.agent.install;

import dev.atlas.patch.instrument.BoundaryMatcher;

import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The loaded classes the agent's installer retransforms: choosing them among all the JVM's
 * loaded classes, and retransforming them so that one class the JVM cannot retransform costs
 * only itself. Used at late attach and when the selection is widened.
 *
 * <p>Threading: stateless; callers are serialised by {@link AgentInstaller}.
 */
final class LoadedClasses {
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    /**
     * Classes per retransformation call. A failed call is retried by halves, and every retry
     * transforms its classes again, so a bad class costs transforms in proportion to the size of
     * the call it fails; a clean late attach of a few thousand classes takes about ten calls.
     * Measured on Spring Boot with {@code org.springframework.**} (2,605 classes, 5 of them not
     * retransformable; {@code PatchLatencyBenchmarkIT#lateAttachSelectingAllOfSpring}, one run
     * each): 38 s with one call for all, 19 s with calls of 256.
     */
    private static final int CHUNK = 256;

    /** The most failures a list keeps (the first ones). */
    static final int MAX_FAILURES = 100;

    private LoadedClasses() {}

    /** Which loaded application classes to retransform. */
    @FunctionalInterface
    interface Choice {
        /**
         * @param c            a loaded class of an application class loader (not an array, hidden or primitive class)
         * @param internalName its name, {@code com/acme/Foo}
         */
        boolean chooses(Class<?> c, String internalName);
    }

    /**
     * The loaded classes of application class loaders that {@code choice} chooses and the JVM can
     * retransform. A Spring Boot JVM has ten thousand and more loaded classes, a third of them the
     * JDK's (skipped first, by their loader); a choice makes its cheap name tests first.
     */
    static List<Class<?>> choose(Instrumentation inst, Choice choice) {
        List<Class<?>> targets = new ArrayList<>();
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            ClassLoader l = c.getClassLoader();
            if (l == null || l == platform || c.isArray() || c.isHidden() || c.isPrimitive()) {
                continue;
            }
            if (choice.chooses(c, c.getName().replace('.', '/')) && inst.isModifiableClass(c)) {
                targets.add(c);
            }
        }
        return targets;
    }

    /**
     * Retransforms {@code targets} in calls of {@link #CHUNK}. One class the JVM cannot
     * retransform (a verifier's "invalid class", an optional dependency missing) must not stop
     * the others nor leave the JVM half-instrumented: each call is tried first, then, if it
     * fails, its halves ({@link #retransformHalving}), each class that fails alone recorded in
     * {@code failures} with its reason (shown by {@code atlas status}).
     *
     * @return how many were retransformed
     */
    static int retransform(Instrumentation inst, List<Class<?>> targets, List<String> failures) {
        int n = 0;
        for (int from = 0; from < targets.size(); from += CHUNK) {
            n += retransformHalving(inst, targets.subList(from, Math.min(targets.size(), from + CHUNK)), failures);
        }
        return n;
    }

    /**
     * Retransforms {@code batch} in one call; if that fails (one bad class fails the whole call,
     * and the JVM then changes none of them), each half on its own, down to single classes,
     * which are recorded. A few bad classes among thousands cost a few dozen calls instead of
     * one per class: every retransformation call is a VM operation at a safepoint, with the
     * dependent compiled code deoptimised, so thousands of calls take minutes.
     */
    private static int retransformHalving(Instrumentation inst, List<Class<?>> batch, List<String> failures) {
        try {
            inst.retransformClasses(batch.toArray(Class<?>[]::new));
            return batch.size();
        } catch (UnmodifiableClassException | RuntimeException | LinkageError | InternalError e) {
            if (batch.size() > 1) {
                int mid = batch.size() / 2;
                return retransformHalving(inst, batch.subList(0, mid), failures)
                        + retransformHalving(inst, batch.subList(mid, batch.size()), failures);
            }
            Class<?> c = batch.get(0);
            synchronized (failures) {
                if (failures.size() < MAX_FAILURES) {
                    failures.add(c.getName() + ": not retransformed: " + e);
                }
            }
            LOG.log(Level.WARNING, () -> "Atlas: could not make loaded class " + c.getName() + " patchable: " + e);
            return 0;
        }
    }

    /**
     * Whether {@code c} or one of its supertypes is the type of a boundary pattern; answers kept
     * in {@code known}, so that a supertype shared by thousands of classes is looked at once.
     */
    static boolean hasBoundaryType(Class<?> c, BoundaryMatcher boundaries, Map<Class<?>, Boolean> known) {
        Boolean k = known.get(c);
        if (k != null) {
            return k;
        }
        boolean b = boundaries.namesType(c.getName().replace('.', '/'));
        if (!b && c.getSuperclass() != null) {
            b = hasBoundaryType(c.getSuperclass(), boundaries, known);
        }
        for (Class<?> i : c.getInterfaces()) {
            if (b) {
                break;
            }
            b = hasBoundaryType(i, boundaries, known);
        }
        known.put(c, b);
        return b;
    }
}
