package dev.atlas.patch.agent.install;

import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.PatchableClassTransformer;
import dev.atlas.patch.runtime.MethodRegistry;

import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Widens the selection of an installed agent's transformer: from now on the transformer makes
 * patchable, as they load, the classes either selector selects, and the loaded classes that the
 * widening adds are retransformed, each once: a class the previous selection selected, or one the
 * method registry already knows as patchable, is never retransformed again (its guards and slots
 * stay as they are, and so do the views that override them). Request boundaries stay woven: a
 * retransformation starts again from the class's original bytes and weaves them again. Classes
 * the JVM cannot retransform are skipped one at a time and recorded (in the result and in the
 * installation's failures, which {@code atlas status} lists). A selection never narrows.
 *
 * <p>All or nothing where it matters: if the walk or a retransformation call throws beyond a
 * single class's failure, the transformer goes back to the previous selection (classes already
 * made patchable by this widening stay so: their guards run the original code until a patch), the
 * error propagates, and a later widening by the same patterns retries the classes not yet made
 * patchable.
 *
 * <p>Threading: callers are serialised ({@link AgentInstaller#widen}).
 *
 * <p>Implementation notes: the new selector is published before the walk, so a class that loads
 * meanwhile is instrumented at load under one selector or the other; one that read the previous
 * selector but was not yet among the loaded classes when the walk ran is caught by a second walk
 * after the retransformation (it is unknown to the registry then).
 */
final class SelectionWidener {
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    private final Instrumentation inst;
    private final PatchableClassTransformer transformer;
    private final MethodRegistry registry;
    private final List<String> failures;

    /**
     * @param failures the installation's list of classes that could not be made patchable
     *                 (synchronised on; at most {@value LoadedClasses#MAX_FAILURES})
     */
    SelectionWidener(Instrumentation inst, PatchableClassTransformer transformer, MethodRegistry registry,
                     List<String> failures) {
        this.inst = inst;
        this.transformer = transformer;
        this.registry = registry;
        this.failures = failures;
    }

    /**
     * @return what was added, with {@link SelectionWidening#retransformed()} 0 and {@link
     *         SelectionWidening#nanos()} 0 if the selection already had {@code more}'s patterns
     */
    SelectionWidening widen(ClassSelector more) {
        ClassSelector before = transformer.selector();
        ClassSelector after = before.widenedBy(more);
        if (after == before) {
            return new SelectionWidening(more, before, 0, List.of(), 0);
        }
        long t0 = System.nanoTime();
        List<String> skipped = new ArrayList<>();
        Set<Class<?>> tried = Collections.newSetFromMap(new IdentityHashMap<>());
        int retransformed = 0;
        transformer.reselect(after);
        try {
            for (int walk = 0; walk < 2; walk++) {
                List<Class<?>> targets = LoadedClasses.choose(inst, (c, name) -> !tried.contains(c)
                        && after.selects(name, c.getClassLoader()) && !before.selects(name, c.getClassLoader())
                        && !registered(c, name));
                tried.addAll(targets);
                retransformed += LoadedClasses.retransform(inst, targets, skipped);
            }
        } catch (RuntimeException | Error e) {
            transformer.reselect(before);
            record(skipped);
            LOG.log(Level.WARNING, () -> "Atlas: widening the selection by " + more + " failed; it stays " + before
                    + ": " + e);
            throw e;
        }
        record(skipped);
        return new SelectionWidening(more, after, retransformed, skipped, Math.max(1, System.nanoTime() - t0));
    }

    /** Whether the registry knows {@code c} (its name in its loader) as patchable: instrumented before. */
    private boolean registered(Class<?> c, String internalName) {
        for (MethodRegistry.LoadedClassInfo i : registry.loaded(internalName)) {
            if (i.loader() == c.getClassLoader()) {
                return true;
            }
        }
        return false;
    }

    private void record(List<String> skipped) {
        synchronized (failures) {
            for (String f : skipped) {
                if (failures.size() < LoadedClasses.MAX_FAILURES) {
                    failures.add(f);
                }
            }
        }
    }
}
