package dev.atlas.patch.agent.install;

import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.instrument.ExecutorBoundaries;
import dev.atlas.patch.instrument.NewPackageDefiner;
import dev.atlas.patch.instrument.RetransformingMethodGuards;
import dev.atlas.patch.instrument.PatchableClassTransformer;
import dev.atlas.patch.jit.JitPriorityWindow;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.PatchPipeline;
import dev.atlas.patch.variant.Variants;
import dev.atlas.patch.warmup.PatchPathWarmup;

import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Installs the Atlas agent in this JVM, once: the class transformer that makes classes
 * patchable (at class load, and for the loaded classes by one retransformation at late
 * attach), and the {@link PatchPipeline} through which patches go in; and widens its
 * selection later ({@link #widen}).
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=agent-installer}
 *
 * <p>Threading: {@link #install}, {@link #widen} and {@link #installed} are serialised.
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
        return install(args, null, inst, lateAttach);
    }

    /**
     * Installs the transformer once, making the classes {@code selector} selects patchable
     * instead of those of the options' {@code include} and {@code exclude} (null: the options');
     * a later call returns the first installation.
     *
     * @throws IllegalArgumentException naming a malformed option (nothing installed)
     */
    public static synchronized Installation install(String args, ClassSelector selector, Instrumentation inst,
                                                    boolean lateAttach) {
        if (installed != null) {
            return installed;
        }
        AgentOptions o = AgentOptions.parse(args);
        ClassSelector chosen = selector != null ? selector : new ClassSelector(o.includes(), o.excludes());
        BoundaryMatcher boundaries = new BoundaryMatcher(o.boundaries());
        NewPackageDefiner packages = new NewPackageDefiner(inst);
        // the agent's: every patch of this JVM goes through it
        CodeViews code = new CodeViews(packages, new RetransformingMethodGuards(inst, packages));
        CodeInstrumenter instrumenter = new CodeInstrumenter(code.registry(), boundaries);
        List<String> failures = new ArrayList<>();
        PatchableClassTransformer t = new PatchableClassTransformer(chosen, instrumenter, inst, (name, e) -> {
            synchronized (failures) {
                if (failures.size() < LoadedClasses.MAX_FAILURES) {
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
                Map<Class<?>, Boolean> withBoundary = new HashMap<>();
                List<Class<?>> targets = LoadedClasses.choose(inst, (c, name) -> chosen.selects(name, c.getClassLoader())
                        || (chosen.boundaryEligible(name, c.getClassLoader())
                        && LoadedClasses.hasBoundaryType(c, boundaries, withBoundary)));
                t1 = System.nanoTime();
                retransformed = LoadedClasses.retransform(inst, targets, failures);
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
                new Variants(pipeline.views()), new InstallPhases(t1 - t0, t2 - t1, (t3 - t2) + (t5 - t4), t4 - t3),
                new CopyOnWriteArrayList<>());
        if (o.warmup()) {
            PatchPathWarmup.start(pipeline);
        }
        LOG.log(Level.INFO, () -> "Atlas agent installed (" + (lateAttach ? "late attach, " + installed.retransformed()
                + " loaded class(es) made patchable" : "at start-up") + "; " + chosen + "; boundaries "
                + o.boundaries() + ")");
        return installed;
    }

    /**
     * Widens the installed agent's selection by {@code more} ({@link SelectionWidener#widen}: the
     * loaded classes it newly selects are retransformed, each once; a failure leaves the previous
     * selection in force) and records the widening in the installation.
     *
     * @return what was added, with {@link SelectionWidening#retransformed()} 0 and no time spent if
     *         the selection already had {@code more}'s patterns
     */
    public static synchronized SelectionWidening widen(Installation in, ClassSelector more) {
        SelectionWidening w = new SelectionWidener(in.instrumentation(), in.transformer(), in.pipeline().views().registry(),
                in.failures()).widen(more);
        if (w.nanos() > 0) {
            in.widenings().add(w);
            LOG.log(Level.INFO, () -> "Atlas: " + w.describe());
        }
        return w;
    }
}
