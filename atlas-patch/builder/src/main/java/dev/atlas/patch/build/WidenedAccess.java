package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import dev.atlas.patch.format.WidenedMethods;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A member whose access the new release widens ({@code private -> package-private},
 * {@code protected -> public}, ...). The running member keeps its access (a loaded class is
 * never redefined), so the patch's own code reaches it as the running access allows, through
 * {@code PatchLinker} links where a direct access would be refused ({@link #running});
 * the widening is refused where it changes dispatch ({@link #refusal}): a method that becomes
 * overridable, or overrides what it could not, would dispatch unlike the new release.
 *
 * {@snippet lang=text :
 *   new build:  class Parser { static boolean isDelimiter(char c) {..} }   // was private
 *   patch:      Tokenizer's body calls it through a link (the running method is private)
 * }
 *
 * <p>Calls from code outside the patch: a class loaded after the apply (compiled against the new
 * release) that calls a widened method or constructor the running access refuses it is linked
 * like a call of a method the patch adds: in the views that have the patch it runs the running
 * member with the new access, in the others it gets {@link IllegalAccessError}, as on the old
 * release. The builder lists the widened methods and constructors of each class in its body class
 * ({@link #members}, format {@code WidenedMethods}), which the agent reads at the apply.
 *
 * <p>Limits (in the builder's note): reflection and method handles see the running modifiers;
 * a widened field read or written from outside the patch, a super call of a widened method from
 * outside it, and classes loaded before the apply keep the running access.
 *
 * <p>Implementation notes: pure functions of the builds; the running member is looked up in
 * the old build by the loaded name of its class, with the descriptor unchanged (members are
 * matched by name and descriptor).
 */
final class WidenedAccess {
    private static final int ACCESS = ClassFile.ACC_PUBLIC | ClassFile.ACC_PROTECTED | ClassFile.ACC_PRIVATE;

    private WidenedAccess() {
    }

    /**
     * Why widening this method's access cannot be patched, or empty if it can. Fields have no
     * dispatch, so only methods are checked.
     *
     * @param newModel the member's class in the new build
     * @param name the method's name ({@code <init>} for a constructor)
     * @param descriptor the method's descriptor
     */
    static Optional<String> refusal(Hierarchy newBuild, ClassModel newModel, String name, String descriptor,
                                    int oldFlags, int newFlags) {
        if (rank(newFlags) <= rank(oldFlags)) {
            return Optional.empty();
        }
        if ((newModel.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0) {
            return Optional.of("access widened in an interface (" + access(oldFlags) + " -> " + access(newFlags)
                    + "): its implementations would see a new interface method; remedy: restart on the new release");
        }
        if ((newFlags & ClassFile.ACC_STATIC) != 0 || name.equals("<init>") || rank(oldFlags) >= 2) {
            return Optional.empty();   // no dispatch change: static, constructor, or protected -> public
        }
        String self = newModel.thisClass().asInternalName();
        if (newBuild.inherited(newModel, name, descriptor).isPresent()) {
            return Optional.of("access widened (" + access(oldFlags) + " -> " + access(newFlags) + ") of a method an "
                    + "inherited one of the same signature exists for: whether it overrides changes, and the running "
                    + "method keeps its own; remedy: restart on the new release");
        }
        for (ClassModel c : newBuild.buildClasses()) {
            String n = c.thisClass().asInternalName();
            if (n.equals(self) || !newBuild.isSubclass(c, self)) {
                continue;
            }
            boolean declares = c.methods().stream().anyMatch(m -> m.methodName().equalsString(name)
                    && m.methodType().equalsString(descriptor) && (m.flags().flagsMask() & ClassFile.ACC_STATIC) == 0);
            boolean newlyOverrides = rank(oldFlags) == 0 || !Hierarchy.packageOf(n).equals(Hierarchy.packageOf(self));
            if (declares && newlyOverrides) {
                return Optional.of("access widened (" + access(oldFlags) + " -> " + access(newFlags) + ") of a method that "
                        + n + " now overrides: the running method keeps its access, so calls would not reach the "
                        + "override; remedy: restart on the new release");
            }
        }
        return Optional.empty();
    }


    /**
     * {@code m} (resolved in the new build) with the access of the running member when the new
     * release widened it, else {@code m} itself.
     */
    static Hierarchy.Member running(GenContext ctx, Hierarchy.Member m) {
        ClassModel old = ctx.oldModels.get(ctx.remap.name(m.declaringClass()));
        if (old == null) {
            return m;
        }
        int oldFlags = -1;
        for (MethodModel x : old.methods()) {
            if (x.methodName().equalsString(m.name()) && x.methodType().equalsString(m.descriptor())) {
                oldFlags = x.flags().flagsMask();
            }
        }
        for (var f : old.fields()) {
            if (f.fieldName().equalsString(m.name()) && f.fieldType().equalsString(m.descriptor())) {
                oldFlags = f.flags().flagsMask();
            }
        }
        if (oldFlags == -1 || rank(oldFlags) >= rank(m.flags())) {
            return m;
        }
        return new Hierarchy.Member(m.declaringClass(), m.name(), m.descriptor(), (m.flags() & ~ACCESS) | (oldFlags & ACCESS));
    }

    /** Whether the new release widened {@code m}'s access (the running member's is narrower). */
    static boolean isWidened(GenContext ctx, Hierarchy.Member m) {
        return running(ctx, m) != m;
    }

    /**
     * The methods and constructors of a class that the new release widens (same name, descriptor
     * and static-ness in both builds, a wider access in the new one), in the old build's order:
     * what the agent links for calls from classes loaded after the apply. Empty for an interface
     * (a widening there is refused).
     */
    static List<WidenedMethods.Member> members(ClassModel oldModel, ClassModel newModel) {
        List<WidenedMethods.Member> out = new ArrayList<>();
        if ((newModel.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0) {
            return out;
        }
        for (MethodModel o : oldModel.methods()) {
            int of = o.flags().flagsMask();
            for (MethodModel n : newModel.methods()) {
                int nf = n.flags().flagsMask();
                if (n.methodName().equalsString(o.methodName().stringValue()) && n.methodType().equalsString(o.methodType().stringValue())
                        && ((of ^ nf) & ClassFile.ACC_STATIC) == 0 && rank(nf) > rank(of)
                        && !o.methodName().equalsString("<clinit>")) {
                    out.add(new WidenedMethods.Member(o.methodName().stringValue(), o.methodType().stringValue(),
                            (of & ClassFile.ACC_STATIC) != 0));
                }
            }
        }
        return out;
    }

    /** The constant {@code WidenedMethods.FIELD} of a body class for {@code members}. */
    static String constant(List<WidenedMethods.Member> members) {
        StringBuilder sb = new StringBuilder();
        for (WidenedMethods.Member m : members) {
            sb.append(m.line()).append('\n');
        }
        return sb.toString();
    }

    /** The note for an accepted widening. */
    static String note(int oldFlags, int newFlags) {
        return "access widened (" + access(oldFlags) + " -> " + access(newFlags) + "); the running member keeps its "
                + "access: the patch's code reaches it through links, and calls of a widened method or constructor from "
                + "code loaded after the apply are linked with the new access in the new view (IllegalAccessError in "
                + "the old view, as on the old release); reflection, method handles, field accesses and super calls "
                + "from outside the patch get the running access";
    }

    private static int rank(int flags) {
        return ModifierChange.rank(flags);
    }

    private static String access(int flags) {
        return ModifierChange.access(flags);
    }
}
