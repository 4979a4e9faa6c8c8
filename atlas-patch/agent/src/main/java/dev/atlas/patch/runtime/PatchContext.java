package dev.atlas.patch.runtime;

/**
 * The patch a class of new code belongs to, in one class loader: {@link PatchLinker} finds
 * a call site's context from the class that contains it (a body class or an added class).
 * It holds no class of the patch, so that a body class can unload once no view runs it.
 *
 * <p>Threading: immutable; registered by the preparing thread before any code of the patch
 * can run (the view that runs it is published afterwards, which orders the registration
 * before any link).
 */
final class PatchContext {
    final String patchId;
    final ClassLoader loader;

    PatchContext(String patchId, ClassLoader loader) {
        this.patchId = patchId;
        this.loader = loader;
    }
}
