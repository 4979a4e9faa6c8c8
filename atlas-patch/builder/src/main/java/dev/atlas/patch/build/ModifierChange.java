package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
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
 * {@link SynchronizedBody}). Those are reported, not applied (the lock is); everything else is refused with the reason.
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
        int rest = changed & ~ACCESS & ~ClassFile.ACC_FINAL & (field ? ~0 : ~(ClassFile.ACC_VARARGS | ClassFile.ACC_STRICT));
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
            if (extendedInBuild) {
                return Optional.of("no longer final in a class the new build extends: a subclass cannot override "
                        + "the running (final) method; remedy: restart on the new release");
            }
        }
        return Optional.empty();
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

    /**
     * Class modifier changes that code of the new release cannot observe against the running
     * class, so reported, not applied: {@code abstract} added (new code never instantiates the
     * class, javac forbids it; old code may go on doing so, as before) and {@code public}
     * removed (narrower access: the new code, compiled against it, does not rely on the wider
     * one). Their opposites are refused: new code may instantiate a class that is no longer
     * abstract, or reach one that became public from another package.
     */
    static int reportedClassFlags(java.lang.classfile.ClassModel o, java.lang.classfile.ClassModel n) {
        int of = o.flags().flagsMask();
        int nf = n.flags().flagsMask();
        int reported = 0;
        if ((of & ClassFile.ACC_ABSTRACT) == 0 && (nf & ClassFile.ACC_ABSTRACT) != 0 && (nf & ClassFile.ACC_INTERFACE) == 0) {
            reported |= ClassFile.ACC_ABSTRACT;
        }
        if ((of & ClassFile.ACC_PUBLIC) != 0 && (nf & ClassFile.ACC_PUBLIC) == 0) {
            reported |= ClassFile.ACC_PUBLIC;
        }
        return reported;
    }
}
