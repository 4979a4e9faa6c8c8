package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.util.Optional;

/**
 * A method changed between static and instance. The running method keeps its kind. When it was
 * private, only its class (whose code calling it changed with it, so is in the patch) called
 * it: the new method is added beside it under another name ({@link #addedName}) that the
 * patch's calls use, and the running one stays for the old view. A non-private one may be
 * called by code outside the build, compiled against the old release: refused.
 *
 * <p>Stateless; thread-safe.
 */
final class MethodKindChange {
    private MethodKindChange() {
    }

    /** Why the change of kind from {@code om} to {@code nm} cannot be patched, or empty. */
    static Optional<String> refusal(Hierarchy newBuild, ClassModel newModel, MethodModel om, MethodModel nm) {
        int nf = nm.flags().flagsMask();
        boolean overrides = (nf & (ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE)) == 0
                && newBuild.inherited(newModel, nm.methodName().stringValue(), nm.methodType().stringValue()).isPresent();
        boolean wasPrivate = (om.flags().flagsMask() & ClassFile.ACC_PRIVATE) != 0;
        if (wasPrivate && nm.code().isPresent() && !overrides) {
            return Optional.empty();
        }
        return Optional.of("method changed between static and instance: the running method keeps its kind, so calls compiled "
                + "against either release would link to the wrong one"
                + (!wasPrivate ? " (it is not private, so code outside the build may call it)"
                : overrides ? " (the new instance method overrides an inherited one)" : " (the new method has no body)")
                + "; remedy: restart on the new release");
    }

    /** The build note for a change of kind that is patched. */
    static String note(String owner, String key, ClassModel oldModel, MethodModel om, MethodModel nm) {
        return owner + " " + key + ": private method changed from " + (ClassDiff.isStatic(om) ? "static to instance" : "instance to static")
                + "; the new view's code calls the new method, added as " + addedName(oldModel, nm) + ", and the running one "
                + "stays for the old view" + ((nm.flags().flagsMask() & ClassFile.ACC_PRIVATE) != 0 ? ""
                : "; code loaded after the apply that calls the new (non-private) method by its name links to the running "
                + "private one and fails (IllegalAccessError or IncompatibleClassChangeError)");
    }

    /**
     * The name under which the patch adds {@code m} to the loaded class: its own, or, when the
     * running class has a method of that name and descriptor of the other kind (static or
     * instance), {@code name$atlas$static} or {@code name$atlas$instance}.
     */
    static String addedName(ClassModel oldModel, MethodModel m) {
        String mn = m.methodName().stringValue();
        for (MethodModel o : oldModel.methods()) {
            if (o.methodName().equalsString(mn) && o.methodType().equalsString(m.methodType().stringValue())
                    && ClassDiff.isStatic(o) != ClassDiff.isStatic(m)) {
                return mn + (ClassDiff.isStatic(m) ? "$atlas$static" : "$atlas$instance");
            }
        }
        return mn;
    }
}
