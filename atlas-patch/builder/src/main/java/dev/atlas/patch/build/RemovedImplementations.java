package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * New interface methods against the running classes that the new release removes. Calls of a
 * method a patch adds to a loaded interface select on the receiver's class
 * ({@code InterfaceDispatch} in the agent): an object of a class that implements the interface
 * and is gone from the new release (objects made before the apply, held in static fields and
 * caches) has no counterpart in the new release, so the default body, or the
 * {@code AbstractMethodError} of an abstract method, would run where the new release runs some
 * other class's method — applied but behaving unlike the new release. Such a pair is refused.
 *
 * <p>Threading: stateless; called by the builder's thread.
 */
final class RemovedImplementations {
    private RemovedImplementations() {}

    /**
     * The refusals for new instance methods of interfaces in {@code plans} that a concrete class
     * of the old build implements, when the new build no longer has that class and the class
     * (or a superclass of it) does not declare the method itself.
     *
     * @param claimed the old classes the new build keeps (by their old names)
     */
    static List<Refusal> refusals(List<ClassDiff.Plan> plans, Map<String, ClassModel> oldModels, Set<String> claimed) {
        List<Refusal> out = new ArrayList<>();
        Function<String, Optional<ClassModel>> old = n -> Optional.ofNullable(oldModels.get(n));
        for (ClassDiff.Plan plan : plans) {
            ClassModel iface = plan.oldModel();
            if ((iface.flags().flagsMask() & ClassFile.ACC_INTERFACE) == 0) {
                continue;
            }
            String name = iface.thisClass().asInternalName();
            for (MethodModel m : plan.added()) {
                int f = m.flags().flagsMask();
                if ((f & (ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE)) != 0) {
                    continue;
                }
                String mn = m.methodName().stringValue();
                String md = m.methodType().stringValue();
                List<String> removed = new ArrayList<>();
                for (ClassModel c : oldModels.values()) {
                    String cn = c.thisClass().asInternalName();
                    if (claimed.contains(cn) || (c.flags().flagsMask() & (ClassFile.ACC_INTERFACE | ClassFile.ACC_ABSTRACT)) != 0) {
                        continue;
                    }
                    if (InterfaceBridges.implementsInterface(old, c, name) && !InterfaceBridges.inClassChain(old, c, mn, md)) {
                        removed.add(cn);
                    }
                }
                if (!removed.isEmpty()) {
                    out.add(new Refusal(name, mn + md, "new interface method, and the running release's "
                            + String.join(", ", removed) + (removed.size() == 1 ? " implements" : " implement")
                            + " the interface without it and " + (removed.size() == 1 ? "is" : "are")
                            + " removed by the new release: objects of " + (removed.size() == 1 ? "that class" : "those classes")
                            + " made before the apply would run the interface's "
                            + ((f & ClassFile.ACC_ABSTRACT) != 0 ? "missing method (AbstractMethodError)" : "default body")
                            + " where the new release has no such object; remedy: restart on the new release"));
                }
            }
        }
        return out;
    }
}
