package dev.atlas.patch.runtime;

import java.util.List;

import dev.atlas.core.Migration;
import dev.atlas.core.View;

/**
 * What applying (or rolling back) a patch started: the view the threads are moving into,
 * the view they leave, and the migration that moves them, each at its own quiescence point.
 *
 * @param patchId         the patch applied, or rolled back
 * @param rollback        whether this moved threads back to the view before the patch
 * @param target          the view threads move into (the new default view)
 * @param previous        the view they leave
 * @param migration       the migration; {@code migration().await(timeout)} waits for it. Null in an
 *                        applied patch that {@link CodeViews#applied()} lists after a class loader
 *                        was released under it ({@link CodeViews#forgetLoader}): its migration, long
 *                        finished, held views with the released loader's bodies
 * @param replacedMethods methods whose bodies the patch replaces
 * @param addedMethods    methods the patch adds
 * @param shadowFields    fields the patch adds (stored as shadow fields)
 * @param addedClasses    classes the patch adds
 * @param preparation     what defining, verifying and linking the new code cost (before any thread
 *                        moved); null for a rollback, which prepares nothing
 * @param jitPriority     what was done to the JIT's priority for the change, e.g.
 *                        {@code 2 JIT compiler thread(s) at SCHED_IDLE} (see
 *                        {@link dev.atlas.patch.jit.JitPriorityWindow})
 * @param scope           the class loaders whose copies of the patched classes the patch changes
 * @param addedClassNames one line per added class: the name it was defined under (its own, which code
 *                        loaded later reaches it by, or the patch's renamed form) and why when not its own
 * @param unappliedChanges the changes the patch reports but does not apply ({@code Patch.unappliedChanges}:
 *                        modifier changes the loaded classes do not take)
 * @param objectRebuilds  the classes whose objects made before the apply the patch's view rebuilds at their
 *                        first use there ({@link ObjectRebuild}; their counts are live)
 */
public record PatchApplication(String patchId, boolean rollback, View target, View previous, Migration migration,
                               int replacedMethods, int addedMethods, int shadowFields, int addedClasses,
                               PreparationCost preparation, String jitPriority, LoaderScope scope,
                               List<String> addedClassNames, List<String> unappliedChanges,
                               List<ObjectRebuild> objectRebuilds) {
    public PatchApplication {
        addedClassNames = List.copyOf(addedClassNames);
        unappliedChanges = List.copyOf(unappliedChanges);
        objectRebuilds = List.copyOf(objectRebuilds);
    }

    /**
     * What identifies this application among the applied patches: the patch id, followed by
     * {@code @} and the class loader's name when the patch is scoped to one loader (the same
     * patch may be applied to several loaders, one application each).
     */
    public String appliedId() {
        return appliedId(patchId, scope);
    }

    /** This application, its threads now going to (or in) {@code view}. */
    PatchApplication withTarget(View view) {
        return new PatchApplication(patchId, rollback, view, previous, migration, replacedMethods, addedMethods,
                shadowFields, addedClasses, preparation, jitPriority, scope, addedClassNames, unappliedChanges, objectRebuilds);
    }

    /**
     * This application after a class loader was released under it: its threads in
     * {@code view}, applied on {@code on} (for messages: it is never rolled back by going back
     * there), without its migration (which kept the views it moved between).
     */
    PatchApplication released(View view, View on) {
        return new PatchApplication(patchId, rollback, view, on, null, replacedMethods, addedMethods,
                shadowFields, addedClasses, preparation, jitPriority, scope, addedClassNames, unappliedChanges, objectRebuilds);
    }

    static String appliedId(String patchId, LoaderScope scope) {
        return scope.name() == null ? patchId : patchId + "@" + scope.name();
    }

    /** Wall time of the preparation (0 for a rollback). */
    public long prepareNanos() {
        return preparation == null ? 0L : preparation.elapsed().toNanos();
    }
}
