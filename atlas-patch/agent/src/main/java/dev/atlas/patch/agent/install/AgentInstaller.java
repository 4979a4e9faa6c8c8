package dev.atlas.patch.agent.install;

import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.instrument.ExecutorBoundaries;
import dev.atlas.patch.instrument.NewPackageDefiner;
import dev.atlas.patch.instrument.PatchableClassTransformer;
import dev.atlas.patch.jit.JitPriorityWindow;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.PatchPipeline;
import dev.atlas.patch.variant.Variants;
import dev.atlas.patch.warmup.PatchPathWarmup;

import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs the Atlas agent in this JVM, once: the class transformer that makes classes
 * patchable (at class load, and for the loaded classes by one retransformation at late
 * attach), and the {@link PatchPipeline} through which patches go in.
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=agent-installer}
 *
 * <p>Threading: {@link #install} and {@link #installed} are serialised.
 */
public final class AgentInstaller {
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    private static final Runnable NO_SCOPE = () -> { };

    private static Installation installed;   // guarded by AgentInstaller.class

    private AgentInstaller() {}

    /** The installed agent, or null if it was not loaded. */
    public static synchronized Installation installed() {
        return installed;
    }

    /**
     * Installs the transformer once; a later call returns the first installation.
     *
     * @throws IllegalArgumentException naming a malformed option (nothing installed)
     */
    public static synchronized Installation install(String args, Instrumentation inst, boolean lateAttach) {
        if (installed != null) {
            return installed;
        }
        AgentOptions o = AgentOptions.parse(args);
        ClassSelector selector = new ClassSelector(o.includes(), o.excludes());
        BoundaryMatcher boundaries = new BoundaryMatcher(o.boundaries());
        NewPackageDefiner definer = new NewPackageDefiner(inst);
        CodeViews code = new CodeViews(definer);   // the agent's: every patch of this JVM goes through it
        dev.atlas.patch.runtime.EnumConstantViews.install(definer::classLookup);   // java.lang opened on first use only
        CodeInstrumenter instrumenter = new CodeInstrumenter(code.registry(), boundaries);
        List<String> failures = new ArrayList<>();
        PatchableClassTransformer t = new PatchableClassTransformer(selector, instrumenter, inst, (name, e) -> {
            synchronized (failures) {
                if (failures.size() < 100) {
                    failures.add(name.replace('/', '.') + ": " + e);
                }
            }
            LOG.log(Level.WARNING, () -> "Atlas: class " + name.replace('/', '.') + " is not patchable: " + e);
        });
        inst.addTransformer(t, true);
        int retransformed = 0;
        long t0 = System.nanoTime();
        long t1 = t0;
        try {
            if (lateAttach) {
                List<Class<?>> targets = selectLoaded(inst, selector, boundaries);
                t1 = System.nanoTime();
                retransformed = retransformLoaded(inst, targets, failures);
            }
        } catch (RuntimeException | Error e) {
            inst.removeTransformer(t);   // a failed install leaves nothing behind: a later attach starts afresh
            throw e;
        }
        long t2 = System.nanoTime();
        PatchPipeline pipeline = new PatchPipeline(code, JitPriorityWindow.forThisJvm(o.jitPriority()));
        long t3 = System.nanoTime();
        // the point between two tasks of the JDK's executors (ThreadPoolExecutor, ForkJoinPool, a thread per task);
        // the pipeline's own scheduler runs no application task: no scope
        List<String> executorProblems = ExecutorBoundaries.install(inst, () -> {
            if (pipeline.ownsThread(Thread.currentThread())) {
                return NO_SCOPE;
            }
            dev.atlas.core.ViewScope scope = code.space().enterRequest();   // the agent never closes its space
            return scope::close;
        });
        synchronized (failures) {
            failures.addAll(executorProblems);
        }
        long t4 = System.nanoTime();
        new AppliedPatchesBean(pipeline).run();   // before any apply: a reader never misses a patch
        long t5 = System.nanoTime();
        installed = new Installation(o, t, inst, lateAttach, retransformed, failures, boundaries, pipeline,
                new Variants(pipeline.views()), new InstallPhases(t1 - t0, t2 - t1, (t3 - t2) + (t5 - t4), t4 - t3));
        if (o.warmup()) {
            PatchPathWarmup.start(pipeline);
        }
        LOG.log(Level.INFO, () -> "Atlas agent installed (" + (lateAttach ? "late attach, " + installed.retransformed()
                + " loaded class(es) made patchable" : "at start-up") + "; " + selector + "; boundaries "
                + o.boundaries() + ")");
        return installed;
    }

    /**
     * Retransforms the loaded classes chosen by {@link #selectLoaded}, in calls of {@link #CHUNK}. One class the JVM cannot retransform (a verifier's "invalid class", an
     * optional dependency missing) must not stop the others nor leave the JVM half-instrumented:
     * the batch is tried first, then, if it fails, its halves ({@link #retransformHalving}), each
     * class that fails alone recorded with its reason (shown by {@code atlas status}).
     */
    private static int retransformLoaded(Instrumentation inst, List<Class<?>> targets, List<String> failures) {
        int n = 0;
        for (int from = 0; from < targets.size(); from += CHUNK) {
            n += retransformHalving(inst, targets.subList(from, Math.min(targets.size(), from + CHUNK)), failures);
        }
        return n;
    }

    /**
     * The loaded classes to retransform at late attach: those the selector selects, and those with a
     * request boundary in their hierarchy. A Spring Boot JVM has ten thousand and more: the cheap
     * name tests come first, and each class's answer to "a boundary type among my supertypes?" is
     * kept, so that a supertype shared by thousands of classes is looked at once.
     */
    private static List<Class<?>> selectLoaded(Instrumentation inst, ClassSelector selector, BoundaryMatcher boundaries) {
        List<Class<?>> targets = new ArrayList<>();
        java.util.Map<Class<?>, Boolean> withBoundary = new java.util.HashMap<>();
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            ClassLoader l = c.getClassLoader();
            if (l == null || l == platform || c.isArray() || c.isHidden() || c.isPrimitive()) {
                continue;   // neither selected nor boundary-eligible: the JDK's (a third of a Spring Boot JVM's classes)
            }
            String name = c.getName().replace('.', '/');
            if ((selector.selects(name, l) || (selector.boundaryEligible(name, l)
                    && hasBoundaryType(c, boundaries, withBoundary))) && inst.isModifiableClass(c)) {
                targets.add(c);
            }
        }
        return targets;
    }

    /**
     * Classes per retransformation call at late attach. A failed call is retried by halves, and
     * every retry transforms its classes again, so a bad class costs transforms in proportion to
     * the size of the call it fails; a clean late attach of a few thousand classes takes about
     * ten calls. Measured on Spring Boot with {@code org.springframework.**} (2,605 classes, 5 of
     * them not retransformable; {@code PatchLatencyBenchmarkIT#lateAttachSelectingAllOfSpring},
     * one run each): 38 s with one call for all, 19 s with calls of 256.
     */
    private static final int CHUNK = 256;

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
                if (failures.size() < 100) {
                    failures.add(c.getName() + ": not retransformed: " + e);
                }
            }
            LOG.log(Level.WARNING, () -> "Atlas: could not make loaded class " + c.getName() + " patchable: " + e);
            return 0;
        }
    }

    /** Whether {@code c} or one of its supertypes is the type of a boundary pattern; answers kept in {@code known}. */
    private static boolean hasBoundaryType(Class<?> c, BoundaryMatcher boundaries, java.util.Map<Class<?>, Boolean> known) {
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
