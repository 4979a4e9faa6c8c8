package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
                    if (implementsInterface(c, name, oldModels) && !declaresInChain(c, mn, md, oldModels)) {
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

    private static boolean implementsInterface(ClassModel c, String iface, Map<String, ClassModel> models) {
        List<String> todo = new ArrayList<>();
        for (ClassModel k = c; k != null; k = superOf(k, models).orElse(null)) {
            k.interfaces().stream().map(ClassEntry::asInternalName).forEach(todo::add);
        }
        for (int i = 0; i < todo.size(); i++) {
            String n = todo.get(i);
            if (n.equals(iface)) {
                return true;
            }
            ClassModel m = models.get(n);
            if (m != null) {
                m.interfaces().stream().map(ClassEntry::asInternalName).filter(x -> !todo.contains(x)).forEach(todo::add);
            }
        }
        return false;
    }

    private static boolean declaresInChain(ClassModel c, String name, String descriptor, Map<String, ClassModel> models) {
        for (ClassModel k = c; k != null; k = superOf(k, models).orElse(null)) {
            for (MethodModel m : k.methods()) {
                if (m.methodName().stringValue().equals(name) && m.methodType().stringValue().equals(descriptor)
                        && (m.flags().flagsMask() & (ClassFile.ACC_ABSTRACT | ClassFile.ACC_STATIC)) == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Optional<ClassModel> superOf(ClassModel c, Map<String, ClassModel> models) {
        return c.superclass().map(s -> models.get(s.asInternalName()));
    }
}
