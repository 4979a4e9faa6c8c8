package dev.atlas.patch.runtime;

import dev.atlas.patch.shadow.ShadowFields;

/**
 * The patch a class of new code belongs to, in one class loader: {@link PatchLinker} finds
 * a call site's context from the class that contains it ({@link Linkage}) (a body class or an added class).
 * It holds no class of the patch, so that a body class can unload once no view runs it.
 *
 * <p>Threading: immutable; registered by the preparing thread before any code of the patch
 * can run (the view that runs it is published afterwards, which orders the registration
 * before any link).
 */
final class PatchContext {
    final String patchId;
    final ClassLoader loader;
    /** The registry of the code views that prepared the patch (added methods are found there). */
    final MethodRegistry registry;
    /** The shadow fields of those code views. */
    final ShadowFields fields;

    PatchContext(String patchId, ClassLoader loader, MethodRegistry registry, ShadowFields fields) {
        this.patchId = patchId;
        this.loader = loader;
        this.registry = registry;
        this.fields = fields;
    }
}
