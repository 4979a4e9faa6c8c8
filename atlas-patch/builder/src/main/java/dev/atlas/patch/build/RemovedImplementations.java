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
 * New interface methods, and new abstract methods of classes, against the running classes that
 * the new release removes. Calls of a method a patch adds to a loaded interface select on the
 * receiver's class ({@code InterfaceDispatch} in the agent), and so do calls of an abstract method
 * a patch adds to a class ({@code OverrideDispatch}, {@code LaterOverrides}): an object of a class
 * that implements the interface, or extends the class, and is gone from the new release
 * (objects made before the apply, held in static fields and caches) has no counterpart in the new release, so the default body, or the
 * {@code AbstractMethodError} of an abstract method, would run where the new release runs some
 * other class's method — applied but behaving unlike the new release. Such a pair is refused.
 *
 * <p>Threading: stateless; called by the builder's thread.
 */
final class RemovedImplementations {
    private RemovedImplementations() {}

    /**
     * The refusals for new instance methods of interfaces, and new abstract methods of classes, in
     * {@code plans} that a concrete class of the old build implements or inherits, when the new
     * build no longer has that class and the class (or a superclass of it) does not declare the
     * method itself.
     *
     * @param claimed the old classes the new build keeps (by their old names)
     */
    static List<Refusal> refusals(List<ClassDiff.Plan> plans, Map<String, ClassModel> oldModels, Set<String> claimed) {
        List<Refusal> out = new ArrayList<>();
        Function<String, Optional<ClassModel>> old = n -> Optional.ofNullable(oldModels.get(n));
        for (ClassDiff.Plan plan : plans) {
            ClassModel type = plan.oldModel();
            boolean isInterface = (type.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0;
            String name = type.thisClass().asInternalName();
            for (MethodModel m : plan.added()) {
                int f = m.flags().flagsMask();
                if ((f & (ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE)) != 0
                        || !isInterface && !AbstractMethodBody.isAbstractInNewRelease(plan.newModel(), m)) {
                    continue;   // of a class: only its new abstract methods (an added body is what a subclass inherits)
                }
                String mn = m.methodName().stringValue();
                String md = m.methodType().stringValue();
                List<String> removed = new ArrayList<>();
                for (ClassModel c : oldModels.values()) {
                    String cn = c.thisClass().asInternalName();
                    if (claimed.contains(cn) || (c.flags().flagsMask() & (ClassFile.ACC_INTERFACE | ClassFile.ACC_ABSTRACT)) != 0) {
                        continue;
                    }
                    boolean below = isInterface ? InterfaceBridges.implementsInterface(old, c, name) : extendsClass(old, c, name);
                    if (below && !InterfaceBridges.inClassChain(old, c, mn, md)) {
                        removed.add(cn);
                    }
                }
                if (!removed.isEmpty()) {
                    out.add(new Refusal(name, mn + md, (isInterface ? "new interface method" : "new abstract method")
                            + ", and the running release's " + String.join(", ", removed)
                            + (isInterface ? (removed.size() == 1 ? " implements the interface" : " implement the interface")
                                    : (removed.size() == 1 ? " extends the class" : " extend the class"))
                            + " without it and " + (removed.size() == 1 ? "is" : "are")
                            + " removed by the new release: objects of " + (removed.size() == 1 ? "that class" : "those classes")
                            + " made before the apply would run the " + (isInterface ? "interface's " : "class's ")
                            + (AbstractMethodBody.isAbstractInNewRelease(plan.newModel(), m)
                                    ? "missing method (AbstractMethodError)" : "default body")
                            + " where the new release has no such object; remedy: restart on the new release"));
                }
            }
        }
        return out;
    }

    /** Whether {@code c} is a subclass of class {@code superclass}, through superclasses found through {@code models}. */
    private static boolean extendsClass(Function<String, Optional<ClassModel>> models, ClassModel c, String superclass) {
        for (Optional<ClassModel> m = c.superclass().map(e -> e.asInternalName()).flatMap(models); m.isPresent();
             m = m.get().superclass().map(e -> e.asInternalName()).flatMap(models)) {
            if (m.get().thisClass().asInternalName().equals(superclass)) {
                return true;
            }
        }
        return false;
    }
}
