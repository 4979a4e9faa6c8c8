package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.InvokeInstruction;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A method of a class (not an interface) that gains or loses {@code abstract} in the new
 * build. The running method keeps its modifiers: an abstract method has no code, and no JVM
 * gives a loaded method a body or takes its body away, so the agent has no entry guard to put
 * in an abstract method and the running body of one the new release makes abstract stays.
 *
 * <ul>
 *   <li>{@code abstract} removed (the method gains a body): reported, not applied, when no object
 *       of the new release reaches the running abstract method, which is when every concrete class
 *       of the new build below the method's class gets the method from a class between them that
 *       has it in the running JVM (an old-build class declaring it with a body, or a class the
 *       patch adds), and no code of the new build calls it with {@code super.m()}. The new body is
 *       then never run, in the new release either (the class itself is abstract, or
 *       {@link ClassModifiers} checked that nothing instantiates it). Refused otherwise: a class
 *       of the new build that inherits the new body (its override removed, say) would throw
 *       {@link AbstractMethodError} in the new view. A class loaded after the apply that
 *       inherits the new body (compiled against the new release) gets {@code AbstractMethodError}.
 *   <li>{@code abstract} added (the method loses its body): reported, not applied; the running
 *       body stays. Every concrete class of the new build overrides the method (javac checks
 *       it), so in the new view it runs only for objects the new release would not have: of the
 *       class itself created before the apply or by code outside the build while it was concrete,
 *       and of subclasses from outside the build compiled against the old release.
 * </ul>
 *
 * <p>Implementation notes: pure function of the two builds; the running classes are the old
 * build's (matched by their loaded names through {@code newToOld}).
 */
final class AbstractMethodChange {
    private AbstractMethodChange() {
    }

    /**
     * Why the method {@code name descriptor} of {@code newModel}, abstract in the old build and
     * not in the new one, cannot be patched; empty if it can.
     *
     * @param oldModels the old build's classes by internal name
     */
    static Optional<String> lostAbstract(Hierarchy newBuild, Map<String, ClassModel> oldModels, UnaryOperator<String> newToOld,
                                         ClassModel newModel, String name, String descriptor) {
        String self = newModel.thisClass().asInternalName();
        if ((newModel.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0) {
            return Optional.of("abstract interface method made default: the running interface method has no body to "
                    + "guard, so implementations without one would not reach it; remedy: restart on the new release");
        }
        for (ClassModel c : newBuild.buildClasses()) {
            String cn = c.thisClass().asInternalName();
            int cf = c.flags().flagsMask();
            if (cn.equals(self) || (cf & (ClassFile.ACC_ABSTRACT | ClassFile.ACC_INTERFACE)) != 0 || !newBuild.isSubclass(c, self)) {
                continue;
            }
            Optional<Hierarchy.Member> from = newBuild.resolveMethod(cn, name, descriptor);
            String declaring = from.map(Hierarchy.Member::declaringClass).orElse(self);
            if (declaring.equals(self)) {
                return Optional.of("no longer abstract, and " + cn + " of the new build inherits its new body: the running "
                        + "method stays abstract (a loaded method cannot gain a body), so calls of it on " + cn
                        + " objects would throw AbstractMethodError; remedy: restart on the new release");
            }
            ClassModel running = oldModels.get(newToOld.apply(declaring));
            boolean hasIt = running == null   // a class the patch adds: it has the method itself
                    || running.methods().stream().anyMatch(m -> m.methodName().equalsString(name)
                    && m.methodType().equalsString(descriptor) && (m.flags().flagsMask() & ClassFile.ACC_ABSTRACT) == 0);
            if (!hasIt) {
                return Optional.of("no longer abstract, and " + cn + " gets it from " + declaring + ", whose running class "
                        + "does not have it: calls on " + cn + " objects reach the running abstract method, which has no "
                        + "body the agent could guard; remedy: restart on the new release");
            }
        }
        Optional<String> superCall = superCaller(newBuild, self, name, descriptor);
        return superCall.map(where -> "no longer abstract, and " + where + " calls its new body with super: the running "
                + "method stays abstract, so the call would throw AbstractMethodError; remedy: restart on the new release");
    }

    /** The note for an accepted {@code abstract} removed from {@code member} of {@code className}. */
    static String lostAbstractNote(String className, String member) {
        return className + " " + member + ": method modifiers changed (-abstract); reported, not applied: the running "
                + "method stays abstract (a loaded method cannot gain a body), and its new body is not patched in: every "
                + "class of the new build below " + className.replace('/', '.') + " has its own (or inherits another from "
                + "a running class), so no object of the new release reaches it; a class loaded after the apply that "
                + "inherits the new body gets AbstractMethodError";
    }

    /**
     * Why {@code abstract} added to the method cannot be patched, or empty. Only interfaces are
     * refused: a default method made abstract would need the running default body to go.
     */
    static Optional<String> gainedAbstract(ClassModel newModel) {
        if ((newModel.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0) {
            return Optional.of("default method made abstract: the running default body stays for implementations "
                    + "without their own; remedy: restart on the new release");
        }
        return Optional.empty();
    }

    /** The note for an accepted {@code abstract} added to {@code member} of {@code className}. */
    static String gainedAbstractNote(String className, String member) {
        return className + " " + member + ": method modifiers changed (+abstract); reported, not applied: the running "
                + "body stays; every concrete class of the new build overrides the method, so in the new view it runs "
                + "only for objects of " + className.replace('/', '.') + " made while it was concrete and of subclasses "
                + "from outside the build, which the new release would not have";
    }

    /** The first method of the new build with a {@code super} call that lands on {@code self.name descriptor}. */
    private static Optional<String> superCaller(Hierarchy newBuild, String self, String name, String descriptor) {
        for (ClassModel c : newBuild.buildClasses()) {
            for (MethodModel m : c.methods()) {
                if (m.code().isEmpty()) {
                    continue;
                }
                for (var e : m.code().get()) {
                    if (e instanceof InvokeInstruction i && i.opcode() == Opcode.INVOKESPECIAL && i.name().equalsString(name)
                            && i.type().equalsString(descriptor)
                            && newBuild.resolveMethod(i.owner().asInternalName(), name, descriptor)
                                    .filter(x -> x.declaringClass().equals(self)).isPresent()) {
                        return Optional.of(c.thisClass().asInternalName() + "." + m.methodName().stringValue()
                                + m.methodType().stringValue());
                    }
                }
            }
        }
        return Optional.empty();
    }

}
