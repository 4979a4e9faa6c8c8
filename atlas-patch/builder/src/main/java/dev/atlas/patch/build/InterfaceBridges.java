package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A bridge method that the new release's interface declares and the running one does not
 * (javac writes one into an interface whose method overrides a superinterface's with a
 * covariant return, e.g. {@code Collection values()} forwarding to {@code Set values()}). A
 * loaded interface gets no method, but this one is never needed by a loaded implementation:
 * the JVM selects a method of the class chain before any interface default (JVMS 5.4.6), and
 * javac writes the same bridge into every class that implements the covariant method. So it
 * is reported, not added, when every class of the new build that implements the interface
 * (and is not itself abstract) has the bridge's name and descriptor in its class chain;
 * otherwise some object would reach the interface's bridge in the new release, and it is
 * added like a new default method ({@code ClassDiff}, {@code InterfaceDispatch} in the agent).
 *
 * <p>Stateless; thread-safe.
 */
final class InterfaceBridges {
    private InterfaceBridges() {
    }

    /** Whether {@code m} is a bridge javac wrote (synthetic, with a body). */
    static boolean isBridge(MethodModel m) {
        int f = m.flags().flagsMask();
        return (f & ClassFile.ACC_BRIDGE) != 0 && (f & ClassFile.ACC_SYNTHETIC) != 0 && (f & ClassFile.ACC_ABSTRACT) == 0
                && m.code().isPresent();
    }

    /**
     * A concrete class of {@code build} implementing {@code iface} whose class chain lacks
     * {@code bridge}'s name and descriptor (it would run the interface's bridge), if any.
     */
    static Optional<String> reachedThroughInterface(Hierarchy build, String iface, MethodModel bridge) {
        String name = bridge.methodName().stringValue();
        String desc = bridge.methodType().stringValue();
        for (ClassModel c : build.buildClasses()) {
            int f = c.flags().flagsMask();
            if ((f & (ClassFile.ACC_INTERFACE | ClassFile.ACC_ABSTRACT)) != 0 || !implementsInterface(build::model, c, iface)) {
                continue;
            }
            if (!inClassChain(build::model, c, name, desc)) {
                return Optional.of(c.thisClass().asInternalName());
            }
        }
        return Optional.empty();
    }

    /** Whether {@code c} or a superclass found through {@code models} declares a concrete instance method {@code name desc}. */
    static boolean inClassChain(Function<String, Optional<ClassModel>> models, ClassModel c, String name, String desc) {
        for (Optional<ClassModel> m = Optional.of(c); m.isPresent();
             m = m.get().superclass().map(ClassEntry::asInternalName).flatMap(models)) {
            for (MethodModel mm : m.get().methods()) {
                if (mm.methodName().equalsString(name) && mm.methodType().equalsString(desc)
                        && (mm.flags().flagsMask() & (ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE | ClassFile.ACC_ABSTRACT)) == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code c} implements {@code iface}, directly or through supertypes found through {@code models}. */
    static boolean implementsInterface(Function<String, Optional<ClassModel>> models, ClassModel c, String iface) {
        Deque<ClassModel> todo = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        todo.add(c);
        while (!todo.isEmpty()) {
            ClassModel m = todo.poll();
            if (!seen.add(m.thisClass().asInternalName())) {
                continue;
            }
            for (ClassEntry i : m.interfaces()) {
                if (i.asInternalName().equals(iface)) {
                    return true;
                }
                models.apply(i.asInternalName()).ifPresent(todo::add);
            }
            m.superclass().flatMap(x -> models.apply(x.asInternalName())).ifPresent(todo::add);
        }
        return false;
    }
}
