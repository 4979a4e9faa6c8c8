package dev.atlas.patch.build;

import dev.atlas.patch.classfile.CanonicalCode;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a patch does with an enum's constants, and what it cannot do. A running enum's
 * constants are fixed objects, created once by its static initialiser, held by existing
 * objects, {@code EnumMap} keys and the old view's code; {@code valueOf}, {@code Enum.valueOf},
 * {@code EnumSet}/{@code EnumMap} and deserialisation read the JDK's per-class cache of them
 * ({@code Class.getEnumConstantsShared}, indexed by ordinal).
 *
 * <ol>
 *   <li>Constants added (anywhere in the declaration): existing constants keep their identity
 *       and their ordinal; the new view runs the new release's static initialiser
 *       ({@link ViewInitializers}) with every existing constant's construction left out (it
 *       reads the running constant) and every added constant created with the next ordinal
 *       after the running ones, in the new release's order. The new view's {@code values()}
 *       returns the new release's array (its order, the running constants and the added ones).
 *       A generated {@code atlas$transfer()} hook publishes the added constants at the apply
 *       ({@code runtime.EnumConstantViews}): the JDK's cache becomes the running constants
 *       followed by the added ones, by ordinal, so {@code valueOf}, {@code EnumSet},
 *       {@code EnumMap} and switch tables built after the apply take them. That cache is one
 *       per class: shared by every view, and kept after a rollback (constants cannot be
 *       destroyed while objects may hold them).
 *       Where constants were inserted before existing ones, ordinal order ({@code compareTo},
 *       {@code EnumSet}/{@code EnumMap} iteration, {@code EnumSet.range}) differs from the new
 *       release's; the build notes say which constants.
 *   <li>Refused: constants removed or existing ones reordered (the running constants keep their
 *       places and ordinals); an added constant with a body of its own (its class would have to
 *       call the enum's private constructor from outside its nest).
 *   <li>A changed initialiser of an existing constant, or one built by code the patch changes:
 *       the constant keeps its identity and the new view reads the new release's state from a
 *       twin ({@link EnumConstantStates}), or the build is refused with the reason (a copy of the
 *       constant for the new view would be a second object of the same name, unequal to the one
 *       every cache and existing object holds).
 *   <li>Changed methods, new methods and fields, constant bodies (their classes), and other
 *       static state of the enum: patched as in any class.
 * </ol>
 *
 * <p>Stateless; thread-safe.
 */
final class EnumChanges {
    static final String REMEDY = "remedy: restart on the new release, or, if the new code does not need what changed in "
            + "the enum, leave it out (atlas patch build --exclude <enum>) so that it keeps its running constants";
    /** The agent's runtime entry that publishes a view's constants to the JDK's cache. */
    static final ClassDesc PUBLISHER = ClassDesc.ofInternalName("dev/atlas/patch/runtime/EnumConstantViews");
    static final String PUBLISH = "publish";
    static final MethodTypeDesc PUBLISH_TYPE = MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_Class,
            ConstantDescs.CD_Object.arrayType());

    private EnumChanges() {
    }

    static boolean isEnum(ClassModel m) {
        return (m.flags().flagsMask() & ClassFile.ACC_ENUM) != 0;
    }

    /** The refusal for changed constants of an enum (empty for a class that is no enum, unchanged or only added constants). */
    static Optional<String> constants(ClassModel oldModel, ClassModel newModel) {
        if (!isEnum(newModel)) {
            return Optional.empty();
        }
        List<String> o = names(oldModel);
        List<String> n = names(newModel);
        if (o.equals(n)) {
            return Optional.empty();
        }
        List<String> removed = new ArrayList<>(o);
        removed.removeAll(n);
        List<String> kept = new ArrayList<>(n);
        kept.retainAll(o);
        String what = !removed.isEmpty() ? "constants " + removed + " removed: existing objects, values() and the old view's "
                + "code keep them, so the new view would not behave like the new release"
                : !kept.equals(o) ? "constants reordered: ordinals are fixed in the running constants, and compareTo, EnumSet "
                + "order and ordinal-indexed tables would differ from the new release"
                : null;
        return what == null ? Optional.empty()
                : Optional.of("enum constants changed from " + o + " to " + n + ": " + what + "; " + REMEDY);
    }

    /** Constants of {@code newModel} that {@code oldModel} does not have, in declaration order (empty for no enum). */
    static List<String> added(ClassModel oldModel, ClassModel newModel) {
        if (oldModel == null || !isEnum(newModel)) {
            return List.of();
        }
        List<String> added = new ArrayList<>(names(newModel));
        added.removeAll(names(oldModel));
        return added;
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

    /**
     * Checks the constructions of {@code newModel}'s constants in its static initialiser
     * ({@code segments}, cut per field): each existing constant's must equal the old build's
     * apart from its ordinal, each added one must be {@code new E; dup; ldc name; <ordinal>; ...}.
     *
     * @return the refusal, or null
     */
    static String checkConstructions(ClassModel oldModel, ClassModel newModel, Map<String, Segment> oldSegs,
                                     Map<String, Segment> newSegs, CanonicalCode oldCanon, CanonicalCode newCanon) {
        List<String> old = names(oldModel);
        for (String c : names(newModel)) {
            Segment s = newSegs.get(c);
            if (s == null || ordinalIndex(s, newModel).isEmpty()) {
                return "the construction of enum constant " + c + " is not found in the new static initialiser as "
                        + "'new " + newModel.thisClass().asInternalName() + "; dup; ldc \"" + c + "\"; <ordinal>; ...' (another "
                        + "compiler's shape, or a constant with a body of its own); " + REMEDY;
            }
            if (!old.contains(c)) {
                continue;
            }
            Segment os = oldSegs.get(c);
            if (os == null || ordinalIndex(os, oldModel).isEmpty()) {
                return initialiser(c);
            }
            // a changed construction of an existing constant: its state goes to a twin (EnumConstantStates), checked there
        }
        return null;
    }

    /**
     * Instruction index of the ordinal argument in constant {@code s}'s construction, when it is
     * {@code new <the enum>; dup; ldc "<name>"; <int constant>}.
     */
    static Optional<Integer> ordinalIndex(Segment s, ClassModel enumModel) {
        List<Instruction> ins = instructions(s.source());
        int i = s.start();
        if (i + 3 >= ins.size() || !(ins.get(i) instanceof NewObjectInstruction n)
                || !n.className().asInternalName().equals(enumModel.thisClass().asInternalName())
                || ins.get(i + 1).opcode() != Opcode.DUP
                || !(ins.get(i + 2) instanceof ConstantInstruction name) || !(name.constantValue() instanceof String)
                || !(ins.get(i + 3) instanceof ConstantInstruction ord) || !(ord.constantValue() instanceof Integer)) {
            return Optional.empty();
        }
        return Optional.of(i + 3);
    }

    /** Canonical text of a constant's construction without its ordinal. */
    static List<String> text(Segment seg, CanonicalCode canon) {
        CodeModel code = seg.source().code().orElseThrow();
        List<CodeElement> part = new ArrayList<>();
        int index = 0;
        for (CodeElement e : code.elementList()) {
            if (e instanceof Instruction) {
                if (index >= seg.start() && index <= seg.end() && index != seg.start() + 3) {
                    part.add(e);
                }
                index++;
            } else if (e instanceof LabelTarget && index >= seg.start() && index <= seg.end()) {
                part.add(e);
            }
        }
        return canon.render(part);
    }

    static List<Instruction> instructions(MethodModel m) {
        List<Instruction> ins = new ArrayList<>();
        for (CodeElement e : m.code().orElseThrow()) {
            if (e instanceof Instruction i) {
                ins.add(i);
            }
        }
        return ins;
    }

    /**
     * The ordinal each added constant gets: after the running ones ({@code oldModel}'s count),
     * in the new release's order.
     */
    static Map<String, Integer> ordinals(ClassModel oldModel, ClassModel newModel) {
        Map<String, Integer> out = new LinkedHashMap<>();
        int next = names(oldModel).size();
        for (String c : added(oldModel, newModel)) {
            out.put(c, next++);
        }
        return out;
    }

    /**
     * Whether {@code m} is javac's {@code private static synthetic E[] $values()} of enum {@code c}:
     * straight-line code (no branch, no local variable) that ends in its only {@code areturn}.
     */
    static boolean isValuesMethod(ClassModel c, MethodModel m) {
        int flags = m.flags().flagsMask();
        if (!isEnum(c) || !m.methodName().equalsString("$values") || (flags & ClassFile.ACC_STATIC) == 0
                || (flags & ClassFile.ACC_SYNTHETIC) == 0 || m.code().isEmpty()
                || !m.methodTypeSymbol().equals(MethodTypeDesc.of(c.thisClass().asSymbol().arrayType()))) {
            return false;
        }
        List<Instruction> ins = instructions(m);
        for (int i = 0; i < ins.size(); i++) {
            Instruction x = ins.get(i);
            boolean last = i == ins.size() - 1;
            if (last != (x.opcode() == Opcode.ARETURN)
                    || x instanceof java.lang.classfile.instruction.BranchInstruction
                    || x instanceof java.lang.classfile.instruction.LoadInstruction
                    || x instanceof java.lang.classfile.instruction.StoreInstruction
                    || x instanceof java.lang.classfile.instruction.ReturnInstruction && !last) {
                return false;
            }
        }
        return m.code().get().exceptionHandlers().isEmpty();
    }

    /** The synthetic static array of the enum's constants ({@code $VALUES} with javac), if any. */
    static Optional<FieldModel> valuesField(ClassModel m) {
        ClassDesc array = m.thisClass().asSymbol().arrayType();
        return m.fields().stream().filter(f -> (f.flags().flagsMask() & (ClassFile.ACC_STATIC | ClassFile.ACC_SYNTHETIC))
                == (ClassFile.ACC_STATIC | ClassFile.ACC_SYNTHETIC) && f.fieldTypeSymbol().equals(array)).findFirst();
    }

    /**
     * What the build notes say about an enum whose constants the patch adds: the ordinals
     * they get, and where ordinal order differs from the new release's order.
     */
    static String note(ClassModel oldModel, ClassModel newModel) {
        Map<String, Integer> ordinals = ordinals(oldModel, newModel);
        List<String> n = names(newModel);
        List<String> before = new ArrayList<>();
        int firstAdded = Integer.MAX_VALUE;
        for (int i = 0; i < n.size(); i++) {
            if (ordinals.containsKey(n.get(i))) {
                firstAdded = Math.min(firstAdded, i);
            } else if (i > firstAdded) {
                before.add(n.get(i));
            }
        }
        StringBuilder sb = new StringBuilder("enum constants ").append(ordinals.keySet())
                .append(" added; the running constants keep their identity and ordinals, the added ones get ordinals ")
                .append(ordinals.values()).append(" (after the running ones) and are created once, by the new view's run of "
                        + "the new static initialiser, at the apply; the new view's values() returns the new release's "
                        + "order; the JDK's constant cache of the class (valueOf, Enum.valueOf, EnumSet/EnumMap, "
                        + "getEnumConstants, deserialisation) holds the running and the added constants from the apply on, in "
                        + "every view, also after a rollback");
        if (!before.isEmpty()) {
            sb.append("; ordinal order (compareTo, EnumSet/EnumMap iteration, EnumSet.range) differs from the new release: ")
                    .append(before).append(" come before the added constants by ordinal, after them in the new release");
        }
        return sb.toString();
    }
}
