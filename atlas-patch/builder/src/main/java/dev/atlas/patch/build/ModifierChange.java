package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A member whose modifiers differ between the two builds. The running member keeps its
 * modifiers (a loaded class is never redefined), so a change is only acceptable when code of
 * the new release behaves the same against the old modifiers: narrowed access (old callers
 * outside the patch keep working, new code does not rely on the wider access), widened access
 * where it does not change dispatch ({@link WidenedAccess}: the patch's code reaches the
 * running member through links) and an added {@code final}, an added {@code synchronized} (the new view's body locks:
 * {@link SynchronizedBody}), a removed {@code final} no class of the new build overrides
 * ({@link #overriddenInBuild}), a changed {@code transient} in a class that is not serializable
 * ({@link #transientRefusal}), and {@code abstract} changes ({@link AbstractMethodChange}, checked by
 * the caller). Those are reported, not applied (the lock is); everything else is refused with the reason.
 *
 * <p>Implementation notes: pure function of the two flag words and two facts about the new
 * build; {@code static} changes are decided by the caller before this.
 */
final class ModifierChange {
    private static final int ACCESS = ClassFile.ACC_PUBLIC | ClassFile.ACC_PROTECTED | ClassFile.ACC_PRIVATE;

    private ModifierChange() {
    }

    /**
     * Why the change cannot be patched, or empty if it can (then {@link #describe} is the note).
     *
     * @param field whether the member is a field
     * @param instance whether it is an instance member
     * @param extendedInBuild whether a class of the new build extends the member's class
     */
    static Optional<String> refusal(int oldFlags, int newFlags, boolean field, boolean instance, boolean extendedInBuild) {
        int changed = oldFlags ^ newFlags;
        // on a method, 0x0080 is varargs (a compile-time matter), not transient; strictfp has
        // no effect since Java 17 (every floating-point operation is strict)
        int rest = changed & ~ACCESS & ~ClassFile.ACC_FINAL
                & (field ? ~ClassFile.ACC_TRANSIENT : ~(ClassFile.ACC_VARARGS | ClassFile.ACC_STRICT));
        if (!field && (rest & ClassFile.ACC_SYNCHRONIZED) != 0) {
            if ((newFlags & ClassFile.ACC_SYNCHRONIZED) == 0) {
                return Optional.of("no longer synchronized: the running method takes the lock before its entry guard "
                        + "dispatches to any view's body, so the new view would hold it where the new release does not (other "
                        + "threads wait for it, and new code that waits for such a thread deadlocks); remedy: restart on the "
                        + "new release");
            }
            rest &= ~ClassFile.ACC_SYNCHRONIZED;   // added: the new view's body takes the lock itself (SynchronizedBody)
        }
        if (rest != 0) {
            return Optional.of("modifiers changed (" + describe(oldFlags & rest, newFlags & rest, field) + "): the running member "
                    + "keeps its modifiers, and " + (field ? "memory or serialization semantics" : "locking or dispatch")
                    + " would differ from the new release; remedy: restart on the new release");
        }
        int oldRank = rank(oldFlags);
        int newRank = rank(newFlags);
        if (newRank < oldRank && newRank == 0 && instance && !field && extendedInBuild) {
            return Optional.of("made private (an instance method) in a class the new build extends: a subclass method of the "
                    + "same signature would override the running (non-private) one; remedy: restart on the new release");
        }
        if ((oldFlags & ClassFile.ACC_FINAL) != 0 && (newFlags & ClassFile.ACC_FINAL) == 0) {
            if (field) {
                return Optional.of("no longer final: new code that assigns it outside a constructor cannot write "
                        + "the running (final) field; remedy: restart on the new release");
            }
        }
        return Optional.empty();
    }

    /**
     * Why a method that is no longer final cannot be patched: a class of the new build below
     * {@code newModel} declares a method of the same name and descriptor, which cannot override
     * the running (final) method. Empty when none does: then no loaded class overrides it either
     * (the JVM refused that while it was final), and dispatch is the new release's.
     */
    static Optional<String> overriddenInBuild(Hierarchy newBuild, ClassModel newModel, String name, String descriptor) {
        String self = newModel.thisClass().asInternalName();
        for (ClassModel c : newBuild.buildClasses()) {
            String cn = c.thisClass().asInternalName();
            if (cn.equals(self) || !newBuild.isSubclass(c, self)) {
                continue;
            }
            for (MethodModel m : c.methods()) {
                if (m.methodName().equalsString(name) && m.methodType().equalsString(descriptor)
                        && (m.flags().flagsMask() & (ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE)) == 0) {
                    return Optional.of("no longer final, and " + cn + " of the new build overrides it: it cannot override "
                            + "the running (final) method; remedy: restart on the new release");
                }
            }
        }
        return Optional.empty();
    }


    /** What the note of an accepted {@code transient} change adds. */
    static final String TRANSIENT_NOTE = "the class is not serializable, so 'transient' changes nothing but what "
            + "reflection reports (libraries that skip transient fields by reflection, such as Gson, see the running modifier)";

    /**
     * Why {@code transient} added to or removed from a field cannot be patched: Java serialization
     * of the running class (its {@code ObjectStreamClass}, from the running modifiers) would
     * write and read the field as the old release does, so the serialized form would differ from
     * the new release's. Empty when {@code transient} did not change, or when the class is not
     * {@link java.io.Serializable} in the new build (checked through its whole hierarchy), where
     * the modifier has no effect beyond reflection.
     */
    static Optional<String> transientRefusal(Hierarchy newBuild, ClassModel newModel, int oldFlags, int newFlags) {
        if (((oldFlags ^ newFlags) & ClassFile.ACC_TRANSIENT) == 0) {
            return Optional.empty();
        }
        String self = newModel.thisClass().asInternalName();
        Optional<String> missing = newBuild.missingSupertype(self);
        String change = (newFlags & ClassFile.ACC_TRANSIENT) != 0 ? "+transient" : "-transient";
        if (missing.isPresent()) {
            return Optional.of("modifiers changed (" + change + "), and whether the class is serializable cannot be checked: "
                    + missing.get() + " is in neither build nor the classpath; remedy: pass the libraries with --classpath");
        }
        if (isSerializable(newBuild, self)) {
            return Optional.of("modifiers changed (" + change + ") in a serializable class: Java serialization of the running "
                    + "class follows the running modifiers, so it would " + (change.startsWith("+") ? "still write and read"
                    : "still skip") + " the field, unlike the new release (a different serialized form, and "
                    + "NotSerializableException where the new release skips a value that is not serializable); remedy: "
                    + "restart on the new release");
        }
        return Optional.empty();
    }

    /** Whether {@code cls} implements {@code java.io.Serializable}, as far as {@code build} can read its hierarchy. */
    static boolean isSerializable(Hierarchy build, String cls) {
        return implementsInterface(build, cls, "java/io/Serializable");
    }

    /** Whether {@code cls} is or implements {@code iface}, as far as {@code build} can read its hierarchy. */
    static boolean implementsInterface(Hierarchy build, String cls, String iface) {
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(cls));
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            String c = todo.poll();
            if (c.equals(iface)) {
                return true;
            }
            if (!seen.add(c)) {
                continue;
            }
            build.model(c).ifPresent(m -> {
                m.superclass().ifPresent(x -> todo.add(x.asInternalName()));
                m.interfaces().forEach(x -> todo.add(x.asInternalName()));
            });
        }
        return false;
    }

    /** {@code public -> private, +final}. */
    static String describe(int oldFlags, int newFlags, boolean field) {
        List<String> parts = new ArrayList<>();
        if ((oldFlags & ACCESS) != (newFlags & ACCESS)) {
            parts.add(access(oldFlags) + " -> " + access(newFlags));
        }
        int removed = oldFlags & ~newFlags & ~ACCESS;
        int added = newFlags & ~oldFlags & ~ACCESS;
        for (String n : names(added, field)) {
            parts.add("+" + n);
        }
        for (String n : names(removed, field)) {
            parts.add("-" + n);
        }
        return String.join(", ", parts);
    }

    /** Access rank: private 0, package-private 1, protected 2, public 3. */
    static int rank(int flags) {
        return (flags & ClassFile.ACC_PUBLIC) != 0 ? 3 : (flags & ClassFile.ACC_PROTECTED) != 0 ? 2
                : (flags & ClassFile.ACC_PRIVATE) != 0 ? 0 : 1;
    }

    static String access(int flags) {
        return switch (rank(flags)) {
            case 3 -> "public";
            case 2 -> "protected";
            case 0 -> "private";
            default -> "package-private";
        };
    }

    private static List<String> names(int flags, boolean field) {
        List<String> n = new ArrayList<>();
        int[] bits = {ClassFile.ACC_STATIC, ClassFile.ACC_FINAL, ClassFile.ACC_SYNCHRONIZED, ClassFile.ACC_VOLATILE,
            ClassFile.ACC_TRANSIENT, ClassFile.ACC_NATIVE, ClassFile.ACC_ABSTRACT, ClassFile.ACC_STRICT};
        String[] names = field
                ? new String[] {"static", "final", "synchronized", "volatile", "transient", "native", "abstract", "strictfp"}
                : new String[] {"static", "final", "synchronized", "bridge", "varargs", "native", "abstract", "strictfp"};
        for (int i = 0; i < bits.length; i++) {
            if ((flags & bits[i]) != 0) {
                n.add(names[i]);
            }
        }
        return n;
    }

    /** The names of a class's modifiers {@code public}, {@code interface}, {@code abstract}, {@code annotation}, {@code enum} in {@code flags}. */
    static String classFlagNames(int flags) {
        List<String> names = new ArrayList<>();
        if ((flags & ClassFile.ACC_PUBLIC) != 0) {
            names.add("public");
        }
        if ((flags & ClassFile.ACC_INTERFACE) != 0) {
            names.add("interface");
        }
        if ((flags & ClassFile.ACC_ABSTRACT) != 0) {
            names.add("abstract");
        }
        if ((flags & ClassFile.ACC_ANNOTATION) != 0) {
            names.add("annotation");
        }
        if ((flags & ClassFile.ACC_ENUM) != 0) {
            names.add("enum");
        }
        return String.join(", ", names);
    }
}
