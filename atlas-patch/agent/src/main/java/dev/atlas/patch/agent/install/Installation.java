package dev.atlas.patch.agent.install;

import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.PatchableClassTransformer;
import dev.atlas.patch.runtime.PatchPipeline;
import dev.atlas.patch.variant.Variants;

import java.lang.instrument.Instrumentation;
import java.util.List;

/**
 * What an installed agent holds ({@link AgentInstaller#installed()}).
 *
 * @param options         the agent options it was installed with
 * @param transformer     the class transformer (its selection now, counts of instrumented and failed classes)
 * @param instrumentation the JVM's instrumentation
 * @param lateAttach      installed by late attach (else at start-up, {@code -javaagent})
 * @param retransformed   loaded classes made patchable at late attach
 * @param failures        classes that could not be made patchable, with the reason (first 100;
 *                        synchronise on the list to read it)
 * @param boundaries      the request-boundary matcher
 * @param pipeline        the way patches go in and out of this JVM
 * @param variants        the per-thread variants applied by {@code atlas variant}
 * @param phases          where the installation spent its time
 * @param widenings       the widenings of its selection since, oldest first (a thread-safe list,
 *                        appended to by {@link AgentInstaller#widen})
 */
public record Installation(AgentOptions options, PatchableClassTransformer transformer, Instrumentation instrumentation,
                           boolean lateAttach, int retransformed, List<String> failures, BoundaryMatcher boundaries,
                           PatchPipeline pipeline, Variants variants,
                           InstallPhases phases, List<SelectionWidening> widenings) {
    /** Loaded classes retransformed at late attach and by every widening since. */
    public int retransformedInAll() {
        int n = retransformed;
        for (SelectionWidening w : widenings) {
            n += w.retransformed();
        }
        return n;
    }
}
