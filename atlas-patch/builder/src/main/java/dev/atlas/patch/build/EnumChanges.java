package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a patch cannot do to an enum, and why. A running enum's constants are fixed objects,
 * created once by its static initialiser, and shared by every view: {@code values()} (a
 * clone of {@code $VALUES}), {@code valueOf} and {@code Enum.valueOf} (the JDK's per-class
 * cache), {@code EnumSet}/{@code EnumMap} (a universe read once per class), and the switch
 * tables of every class that switches on the enum (arrays sized and filled at their own
 * initialisation) are all built from them.
 *
 * <ol>
 *   <li>Constants added, removed or reordered: a constant only the new view has would be
 *       missing from all of the above (valueOf throws, an EnumMap or switch table is indexed
 *       past its end), and a removed or moved one keeps its place and ordinal there: refused.
 *   <li>A changed constant initialiser (other constructor arguments, as commons-io's
 *       {@code FileSystem.GENERIC}): a copy of the constant for the new view would be a second
 *       object of the same name and ordinal, unequal ({@code ==}) to the one every cache,
 *       existing object and old-view caller holds: refused ({@link ChangedStaticInitializer}).
 *   <li>Changed methods, new methods and fields, constant bodies (their classes), and other
 *       static state of the enum: patched as in any class.
 * </ol>
 *
 * Remedy for both refusals: restart on the new release, or, if the patch's code does not need
 * the new constants or their new state, leave the enum out ({@code --exclude}) so that it keeps
 * its running constants and code.
 */
final class EnumChanges {
    static final String REMEDY = "remedy: restart on the new release, or, if the new code does not need what changed in "
            + "the enum, leave it out (atlas patch build --exclude <enum>) so that it keeps its running constants";

    private EnumChanges() {
    }

    /** The refusal for changed constants of an enum (empty for a class that is no enum, or unchanged constants). */
    static Optional<String> constants(ClassModel oldModel, ClassModel newModel) {
        if ((newModel.flags().flagsMask() & ClassFile.ACC_ENUM) == 0) {
            return Optional.empty();
        }
        List<String> o = names(oldModel);
        List<String> n = names(newModel);
        if (o.equals(n)) {
            return Optional.empty();
        }
        List<String> added = new ArrayList<>(n);
        added.removeAll(o);
        List<String> removed = new ArrayList<>(o);
        removed.removeAll(n);
        String what = !added.isEmpty() ? "constants " + added + " added: values(), valueOf, EnumSet/EnumMap and the switch "
                + "tables of every view are built from the running constants, so a constant only the new view had would be "
                + "missing there (valueOf throws, an EnumMap or switch table is indexed past its end)"
                : !removed.isEmpty() ? "constants " + removed + " removed: existing objects, values() and the old view's code "
                + "keep them, so the new view would not behave like the new release"
                : "constants reordered: ordinals are fixed in the running constants, and compareTo, EnumSet order and "
                + "ordinal-indexed tables would differ from the new release";
        return Optional.of("enum constants changed from " + o + " to " + n + ": " + what + "; " + REMEDY);
    }

    /** The refusal for a changed initialiser of constant {@code name}. */
    static String initialiser(String name) {
        return "the initialiser of enum constant " + name + " changed: a copy for the new view would be a second object "
                + "of the same name and ordinal, unequal to the constant that valueOf, values(), EnumMap keys, existing "
                + "objects and the old view's code hold; " + REMEDY;
    }

    static List<String> names(ClassModel m) {
        return m.fields().stream().filter(f -> (f.flags().flagsMask() & ClassFile.ACC_ENUM) != 0)
                .map(f -> f.fieldName().stringValue()).toList();
    }
}
