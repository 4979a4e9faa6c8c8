package dev.atlas.patch.runtime;

import java.lang.invoke.MethodHandle;

/**
 * Benchmark access to {@code LaterOverrides} (package-private in the agent): the wrapper that
 * {@code PatchLinker.linkAdded} puts around every call of an instance method a patch adds to a
 * class. Lives in atlas-bench, in the agent's package (the class path's unnamed module).
 */
public final class LaterOverridesProbe {
    private LaterOverridesProbe() {}

    /** {@code LaterOverrides.dispatching}. */
    public static MethodHandle dispatching(Class<?> declaring, String name, MethodHandle call) {
        return LaterOverrides.dispatching(declaring, name, call);
    }
}
