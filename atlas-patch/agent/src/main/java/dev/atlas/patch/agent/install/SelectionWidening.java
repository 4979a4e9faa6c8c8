package dev.atlas.patch.agent.install;

import dev.atlas.patch.instrument.ClassSelector;

import java.util.List;
import java.util.Locale;

/**
 * One widening of an installed agent's selection ({@link AgentInstaller#widen}): the classes it
 * added and what became of the loaded ones among them.
 *
 * @param added          the selector it added (the patterns given, or the classes a patch needs)
 * @param selection      the agent's whole selection after it
 * @param retransformed  loaded classes newly selected and made patchable by retransformation
 * @param failures       loaded classes newly selected that stay unpatchable, with the reason
 *                       (the first 100; also in the installation's list)
 * @param nanos          its wall time
 */
public record SelectionWidening(ClassSelector added, ClassSelector selection, int retransformed, List<String> failures,
                                long nanos) {
    public SelectionWidening {
        failures = List.copyOf(failures);
    }

    /** E.g. {@code selection widened by include [it.a.B], exclude []: 1 loaded class(es) made patchable in 12.3 ms}. */
    public String describe() {
        return String.format(Locale.ROOT, "selection widened by %s: %d loaded class(es) made patchable in %.1f ms%s",
                added, retransformed, nanos / 1e6, failures.isEmpty() ? ""
                        : ", " + failures.size() + " could not be (listed by atlas status)");
    }
}
