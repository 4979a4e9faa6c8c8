package dev.atlas.patch.build;

import dev.atlas.patch.classfile.CanonicalCode;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.constant.ConstantDesc;
import java.lang.constant.DirectMethodHandleDesc;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A class whose own modifiers differ between the two builds. A loaded class keeps its
 * modifiers (no JVM redefines them), so a change is reported, not applied, when nothing the
 * new release's code does needs the running class to have the new modifiers; only reflection
 * on the class ({@code Class.getModifiers}, {@code Modifier.isAbstract}, ...) then tells the
 * patched JVM from the new release. Each case, with what code outside the patch sees:
 *
 * <ul>
 *   <li>{@code abstract} added: reported. The new release's code never instantiates the class
 *       (javac forbids it). Code outside the build compiled against the old release (or
 *       running in the old view) may go on creating objects of it, as on the old release; in
 *       the new view those objects run the new release's methods, and a method the new release
 *       made abstract keeps its running body for them ({@link AbstractMethodChange}).
 *   <li>{@code abstract} removed: reported when no class of the new build instantiates the class
 *       ({@code new C}, {@code C::new}); refused when one does (the running class is abstract:
 *       {@code new} would throw {@link InstantiationError}). Code loaded after the apply that
 *       instantiates it gets {@code InstantiationError}, as on the old release.
 *   <li>{@code final} added: reported (the new build cannot extend the class); subclasses already
 *       loaded from outside the build keep working, as on the old release.
 *   <li>{@code final} removed: reported when the new build does not extend the class; refused
 *       when it does (the subclass cannot be defined against the running final class).
 *   <li>{@code public} removed: reported (code of the new release does not rely on the wider
 *       access; code outside the package keeps reaching the class, as on the old release).
 *   <li>{@code public} added: reported when no class of the new build in another package names
 *       the class; refused when one does (its access would fail with {@link IllegalAccessError}).
 *   <li>{@code interface}, {@code annotation}, {@code enum} changed: refused (another kind of class).
 * </ul>
 *
 * <p>Implementation notes: pure function of the two class models and the new build; scans
 * every method of the new build once per question. Class names in the new build are those of
 * the new build ({@code newModel.thisClass()}).
 */
final class ClassModifiers {
    /** The class flags compared: the others ({@code super}, {@code synthetic}, {@code module}) have no effect here. */
    static final int CLASS_FLAGS = ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_INTERFACE
            | ClassFile.ACC_ABSTRACT | ClassFile.ACC_ANNOTATION | ClassFile.ACC_ENUM;
    private static final String REMEDY = "remedy: restart on the new release, or exclude the class (--exclude) to keep it as it is";

    /**
     * The decision for one class.
     *
     * @param refusals reasons (no patch), empty when the change is reported
     * @param report the reported, not applied change (for the notes and the patch), or null when
     *        nothing changed or the change is refused
     */
    record Outcome(List<String> refusals, String report) {
    }

    private ClassModifiers() {
    }

    static Outcome of(Hierarchy newBuild, ClassModel oldModel, ClassModel newModel) {
        int of = oldModel.flags().flagsMask() & CLASS_FLAGS;
        int nf = newModel.flags().flagsMask() & CLASS_FLAGS;
        if (of == nf) {
            return new Outcome(List.of(), null);
        }
        String self = newModel.thisClass().asInternalName();
        int kind = (of ^ nf) & (ClassFile.ACC_INTERFACE | ClassFile.ACC_ANNOTATION | ClassFile.ACC_ENUM);
        if (kind != 0) {
            return new Outcome(List.of("class modifiers changed (" + describe(of, nf) + "): the loaded class stays another "
                    + "kind of class (" + ModifierChange.classFlagNames(kind) + "), and code of the new release would "
                    + "not link against it; " + REMEDY), null);
        }
        List<String> refusals = new ArrayList<>();
        List<String> consequences = new ArrayList<>();
        if (added(of, nf, ClassFile.ACC_ABSTRACT)) {
            consequences.add("code outside the build that creates objects of the class keeps doing so, as on the old "
                    + "release; in the new view they run the new release's methods");
        }
        if (removed(of, nf, ClassFile.ACC_ABSTRACT)) {
            instantiatedBy(newBuild, self).ifPresentOrElse(where -> refusals.add("class no longer abstract and instantiated "
                    + "by the new build (" + where + "): the running class is abstract, so creating an object of it throws "
                    + "InstantiationError; " + REMEDY), () -> consequences.add("no code of the new build instantiates it; code "
                    + "loaded after the apply that does gets InstantiationError, as on the old release"));
        }
        if (added(of, nf, ClassFile.ACC_FINAL)) {
            consequences.add("subclasses loaded from outside the build keep working, as on the old release");
        }
        if (removed(of, nf, ClassFile.ACC_FINAL)) {
            if (newBuild.extendedInBuild(self)) {
                refusals.add("class no longer final and extended by the new build: the running class is final, so the "
                        + "subclass cannot be defined; remedy: restart on the new release");
            } else {
                consequences.add("no class of the new build extends it; a subclass loaded after the apply is refused "
                        + "(VerifyError), as on the old release");
            }
        }
        if (removed(of, nf, ClassFile.ACC_PUBLIC)) {
            consequences.add("code of the new release does not rely on the wider access; code outside the package keeps "
                    + "reaching the class, as on the old release");
        }
        if (added(of, nf, ClassFile.ACC_PUBLIC)) {
            namedFromOtherPackage(newBuild, self).ifPresentOrElse(where -> refusals.add("class made public and named by "
                    + where + " of another package: the running class is package-private, so that access fails with "
                    + "IllegalAccessError; " + REMEDY), () -> consequences.add("no class of the new build in another package "
                    + "names it; code loaded after the apply that does gets IllegalAccessError, as on the old release"));
        }
        if (!refusals.isEmpty()) {
            return new Outcome(refusals, null);
        }
        return new Outcome(List.of(), oldModel.thisClass().asInternalName() + ": class modifiers changed (" + describe(of, nf)
                + "); reported, not applied: the loaded class keeps its modifiers, which only reflection on the class "
                + "shows; " + String.join("; ", consequences));
    }

    private static boolean added(int of, int nf, int flag) {
        return (of & flag) == 0 && (nf & flag) != 0;
    }

    private static boolean removed(int of, int nf, int flag) {
        return (of & flag) != 0 && (nf & flag) == 0;
    }

    /** {@code -abstract, +final}. */
    static String describe(int of, int nf) {
        List<String> parts = new ArrayList<>();
        for (String n : ModifierChange.classFlagNames(nf & ~of).split(", ")) {
            if (!n.isEmpty()) {
                parts.add("+" + n);
            }
        }
        int finalAdded = nf & ~of & ClassFile.ACC_FINAL;
        if (finalAdded != 0) {
            parts.add("+final");
        }
        for (String n : ModifierChange.classFlagNames(of & ~nf).split(", ")) {
            if (!n.isEmpty()) {
                parts.add("-" + n);
            }
        }
        if ((of & ~nf & ClassFile.ACC_FINAL) != 0) {
            parts.add("-final");
        }
        return String.join(", ", parts);
    }

    /** The first method of the new build that creates an object of {@code cls} ({@code Owner.method}), if any. */
    static Optional<String> instantiatedBy(Hierarchy newBuild, String cls) {
        for (ClassModel c : newBuild.buildClasses()) {
            for (MethodModel m : c.methods()) {
                if (m.code().isEmpty()) {
                    continue;
                }
                for (var e : m.code().get()) {
                    boolean creates = e instanceof NewObjectInstruction n && n.className().asInternalName().equals(cls)
                            || e instanceof InvokeDynamicInstruction d && d.bootstrapArgs().stream().anyMatch(a -> constructs(a, cls))
                            || e instanceof ConstantInstruction k && constructs(k.constantValue(), cls);
                    if (creates) {
                        return Optional.of(c.thisClass().asInternalName() + "." + m.methodName().stringValue()
                                + m.methodType().stringValue());
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static boolean constructs(ConstantDesc c, String cls) {
        return c instanceof DirectMethodHandleDesc h && h.kind() == DirectMethodHandleDesc.Kind.CONSTRUCTOR
                && CanonicalCode.internalName(h.owner()).equals(cls);
    }

    /** The first class of the new build, in another package than {@code cls}, whose constant pool names it. */
    static Optional<String> namedFromOtherPackage(Hierarchy newBuild, String cls) {
        String pkg = Hierarchy.packageOf(cls);
        for (ClassModel c : newBuild.buildClasses()) {
            String n = c.thisClass().asInternalName();
            if (Hierarchy.packageOf(n).equals(pkg)) {
                continue;
            }
            for (var entry : c.constantPool()) {
                if (entry instanceof ClassEntry e && (e.asInternalName().equals(cls) || e.asInternalName().endsWith("L" + cls + ";"))) {
                    return Optional.of(n);
                }
            }
        }
        return Optional.empty();
    }
}
