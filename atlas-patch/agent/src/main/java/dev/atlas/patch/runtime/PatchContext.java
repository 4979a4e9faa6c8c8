package dev.atlas.patch.runtime;

import java.lang.invoke.MethodHandles;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The classes one patch defined in one class loader: the body class of each patched class
 * (by the patched class's internal name) and its added classes. {@link PatchLinker} finds a
 * call site's context from the class that contains it.
 *
 * <p>Threading: filled by the preparing thread before any code of the patch can run (the
 * view that runs it is published afterwards, which orders these writes before any link).
 */
final class PatchContext {
    final String patchId;
    final ClassLoader loader;
    final Map<String, MethodHandles.Lookup> bodies = new ConcurrentHashMap<>();   // patched class -> body class lookup

    PatchContext(String patchId, ClassLoader loader) {
        this.patchId = patchId;
        this.loader = loader;
    }

    MethodHandles.Lookup body(String owner) {
        MethodHandles.Lookup l = bodies.get(owner);
        if (l == null) {
            throw new IllegalStateException("patch " + patchId + " has no new code for class " + owner.replace('/', '.'));
        }
        return l;
    }
}
