package dev.atlas.patch.build;

import dev.atlas.patch.build.classfile.StackDepth;
import dev.atlas.patch.classfile.CanonicalCode;
import dev.atlas.patch.classfile.ConstructorCall;
import dev.atlas.patch.format.StaticStateSummary;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.FieldModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.TypeKind;
import java.lang.classfile.instruction.ArrayStoreInstruction;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.MonitorInstruction;
import java.lang.classfile.instruction.ReturnInstruction;
import java.lang.classfile.instruction.StackInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.lang.classfile.instruction.ThrowInstruction;
import java.lang.classfile.instruction.TypeCheckInstruction;
import java.lang.constant.ClassDesc;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The new release's state of running enum constants, for the new view, with their identity
 * kept. When the initialiser of an existing constant changed ({@code X86("x86")} for
 * {@code X86}), or builds it with code the patch changes or with a static the new view has
 * its own copy of (commons-csv's {@code Predefined.Default(CSVFormat.DEFAULT)}), the new
 * view's run of the new static initialiser ({@link ViewInitializers}) constructs that
 * constant again, into a fresh object that is never published (its <em>state twin</em>),
 * and stores it in the holder's array {@value #FIELD} at its ordinal. Everything else of
 * the initialiser (the {@code $VALUES} array, tables built from the constants) uses the
 * running constant, so {@code values()}, {@code valueOf}, {@code ordinal()}, {@code name()},
 * {@code ==}, {@code EnumMap} keys and switch tables are those of the running constants.
 *
 * <p>Reads of the enum's instance fields in the patch's new code ({@code getfield}, rewritten
 * to {@code invokedynamic PatchLinker.linkConstantState}) read the twin's field when the
 * receiver is a running constant that has a twin and the calling thread's view has the
 * patch, else the receiver's own field. Every method of the build that reads such a field is
 * replaced for that reason (the enum's getters among them); so in the new view the running
 * constant behaves like the new release's constant, and in the old view (and after a
 * rollback) like the old one.
 *
 * <p>Refused, with the reason, when that cannot be kept sound: the enum adds instance fields
 * (their values for the running constants would have to come from the twin through the
 * shadow fields), a constant is built by a constructor the patch adds, an instance field is
 * written outside the enum's constructors (state per view would split), an instance field is
 * not private (code outside the build could read the running value in the new view), or a
 * constructor hands {@code this} to other code (the twin would escape).
 *
 * <p>Stateless; thread-safe.
 */
final class EnumConstantStates {
    /** Holder field: the new view's twins of running constants, indexed by ordinal. */
    static final String FIELD = StaticStateSummary.CONSTANT_STATES_FIELD;
    static final ClassDesc ARRAY = java.lang.constant.ConstantDescs.CD_Object.arrayType();

    private EnumConstantStates() {
    }

    /**
     * The existing constants of enum {@code m} (paired with {@code old}) whose construction
     * changed (apart from its ordinal) or reaches changed code ({@code reaches} of the
     * construction's value instructions).
     */
    static List<String> changed(ClassModel m, ClassModel old, Function<String, String> newToOld,
                                Function<List<Instruction>, Optional<String>> reaches) {
        List<String> out = new ArrayList<>();
        Optional<MethodModel> nc = ViewInitializers.clinit(m);
        Optional<MethodModel> oc = ViewInitializers.clinit(old);
        if (nc.isEmpty() || oc.isEmpty()) {
            return out;
        }
        String owner = m.thisClass().asInternalName();
        CanonicalCode newCanon = ClassDiff.canon(m, newToOld::apply);
        CanonicalCode oldCanon = ClassDiff.canon(old, java.util.function.UnaryOperator.identity());
        List<Instruction> ins = EnumChanges.instructions(nc.get());
        List<String> oldNames = EnumChanges.names(old);
        for (String c : EnumChanges.names(m)) {
            if (!oldNames.contains(c)) {
                continue;
            }
            Segment s = Initializers.cut(nc.get(), owner, Set.of(c), false).segments().get(c);
            Segment os = Initializers.cut(oc.get(), old.thisClass().asInternalName(), Set.of(c), false).segments().get(c);
            if (s == null || os == null || EnumChanges.ordinalIndex(s, m).isEmpty() || EnumChanges.ordinalIndex(os, old).isEmpty()) {
                continue;   // the shape check (StaticState) refuses it
            }
            if (!EnumChanges.text(os, oldCanon).equals(EnumChanges.text(s, newCanon))
                    || reaches.apply(ins.subList(s.valueStart(), s.end())).isPresent()) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Why enum {@code m} cannot give the new view the state of {@code twins} with their
     * identity kept, or empty.
     *
     * @param build the new build's classes (writers of the enum's fields are looked for there)
     */
    static Optional<String> refusal(ClassModel m, ClassModel old, List<String> twins, Collection<ClassModel> build,
                                    Collection<ClassModel> oldBuild) {
        String owner = m.thisClass().asInternalName();
        String why = "constants " + twins + " get the new release's state for the new view (a twin of each, built by "
                + "the new static initialiser, whose fields the new view reads), but ";
        List<String> addedFields = new ArrayList<>();
        List<String> notPrivate = new ArrayList<>();
        for (FieldModel f : m.fields()) {
            int flags = f.flags().flagsMask();
            if ((flags & ClassFile.ACC_STATIC) != 0) {
                continue;
            }
            String n = f.fieldName().stringValue();
            if (old.fields().stream().noneMatch(x -> x.fieldName().equalsString(n)
                    && (x.flags().flagsMask() & ClassFile.ACC_STATIC) == 0)) {
                addedFields.add(n);
            }
            if ((flags & ClassFile.ACC_PRIVATE) == 0) {
                notPrivate.add(n);
            }
        }
        if (!addedFields.isEmpty()) {
            return Optional.of(why + "the release adds instance fields " + addedFields + " to the enum, which the running "
                    + "constants do not have; " + EnumChanges.REMEDY);
        }
        if (!notPrivate.isEmpty()) {
            return Optional.of(why + "instance fields " + notPrivate + " are not private, so code outside the patch (classes "
                    + "loaded before or after the apply) may read the running constant's value in the new view; "
                    + EnumChanges.REMEDY);
        }
        MethodModel clinit = ViewInitializers.clinit(m).orElseThrow();
        List<Instruction> ins = EnumChanges.instructions(clinit);
        for (String c : twins) {
            Segment s = Initializers.cut(clinit, owner, Set.of(c), false).segments().get(c);
            Instruction last = ins.get(s.end());
            Instruction init = s.end() > 0 ? ins.get(s.end() - 1) : null;
            if (!(last instanceof FieldInstruction put) || put.opcode() != Opcode.PUTSTATIC || !(init instanceof InvokeInstruction call)
                    || !call.name().equalsString("<init>") || !call.owner().asInternalName().equals(owner)) {
                return Optional.of(why + "the construction of " + c + " does not end in 'invokespecial " + owner
                        + ".<init>; putstatic " + c + "'; " + EnumChanges.REMEDY);
            }
            String desc = call.type().stringValue();
            if (old.methods().stream().noneMatch(x -> x.methodName().equalsString("<init>") && x.methodType().equalsString(desc))) {
                return Optional.of(why + c + " is built by a constructor the release adds (" + desc + "), which a running "
                        + "enum cannot run for a constant; " + EnumChanges.REMEDY);
            }
        }
        for (Collection<ClassModel> b : List.of(build, oldBuild)) {
            for (ClassModel c : b) {
                for (MethodModel mm : c.methods()) {
                    boolean ownConstructor = mm.methodName().equalsString("<init>") && c.thisClass().asInternalName().equals(
                            b == build ? owner : old.thisClass().asInternalName());
                    if (ownConstructor || mm.code().isEmpty()) {
                        continue;
                    }
                    String self = b == build ? owner : old.thisClass().asInternalName();
                    for (CodeElement e : mm.code().get()) {
                        if (e instanceof FieldInstruction f && f.opcode() == Opcode.PUTFIELD && f.owner().asInternalName().equals(self)) {
                            return Optional.of(why + c.thisClass().asInternalName().replace('/', '.') + "."
                                    + mm.methodName().stringValue() + " writes instance field " + f.name().stringValue()
                                    + " of the enum: the running constant and its twin would each keep a part of the "
                                    + "state; " + EnumChanges.REMEDY);
                        }
                    }
                }
            }
        }
        for (MethodModel ctor : m.methods()) {
            if (ctor.methodName().equalsString("<init>") && ctor.code().isPresent()) {
                Optional<String> leak = leaksThis(ctor, owner);
                if (leak.isPresent()) {
                    return Optional.of(why + "constructor " + ctor.methodType().stringValue() + " " + leak.get()
                            + ", so a twin could be reached by other code; " + EnumChanges.REMEDY);
                }
            }
        }
        return Optional.empty();
    }

    /** The build note and the holder's summary line for an enum with twins. */
    static String note(String className, List<String> twins, List<String> replaced) {
        return "enum constants " + twins + " get the new release's state in the new view: the new view's run of the new "
                + "static initialiser builds a twin of each (never published) and the patch's code reads its fields (every "
                + "method of the build that reads the enum's fields is replaced; the enum's replaced methods: "
                + StaticStateSummary.abbreviate(replaced) + "); the "
                + "constants keep their identity, name and ordinal (values(), valueOf, ==, EnumMap/EnumSet, switch tables "
                + "are the running constants'); the old view, reflection (Field.get) and rollback see the running state";
    }

    /**
     * Why {@code ctor}'s code after its {@code super(..)}/{@code this(..)} call may hand
     * {@code this} to code other than the enum's own field accesses, or empty. Conservative:
     * straight-line code only; {@code this} may only be the receiver of a {@code getfield} or
     * {@code putfield} of the enum.
     */
    static Optional<String> leaksThis(MethodModel ctor, String owner) {
        List<CodeElement> elements = ctor.code().orElseThrow().elementList();
        List<Instruction> ins = new ArrayList<>();
        for (CodeElement e : elements) {
            if (e instanceof Instruction i) {
                ins.add(i);
            }
        }
        int call = ConstructorCall.index(ins);
        int[] before = StackDepth.before(elements);
        for (int i = call + 1; i < ins.size(); i++) {
            Instruction x = ins.get(i);
            if (x instanceof BranchInstruction || x instanceof LookupSwitchInstruction || x instanceof TableSwitchInstruction) {
                return Optional.of("has branches after its super(..) call (not checked for handing 'this' on)");
            }
            if (!(x instanceof LoadInstruction l) || l.slot() != 0 || l.typeKind() != TypeKind.REFERENCE) {
                continue;
            }
            int d = before[i];
            for (int j = i + 1; j < ins.size(); j++) {
                Instruction y = ins.get(j);
                int pops = pops(y);
                if (pops < 0 || before[j] < 0) {
                    return Optional.of("uses 'this' in " + y.opcode().name().toLowerCase(java.util.Locale.ROOT));
                }
                if (before[j] - pops <= d) {
                    boolean ownField = y instanceof FieldInstruction f && f.owner().asInternalName().equals(owner)
                            && (f.opcode() == Opcode.GETFIELD && before[j] - 1 == d
                            || f.opcode() == Opcode.PUTFIELD && before[j] - 1 - TypeKind.from(f.typeSymbol()).slotSize() == d);
                    if (!ownField) {
                        return Optional.of("hands 'this' to " + y.opcode().name().toLowerCase(java.util.Locale.ROOT)
                                + (y instanceof InvokeInstruction v ? " " + v.owner().asInternalName() + "." + v.name().stringValue() : ""));
                    }
                    break;
                }
            }
        }
        return Optional.empty();
    }

    /** Slots an instruction may take a reference from; 0 for those that take none; -1 when unknown. */
    private static int pops(Instruction y) {
        return switch (y) {
            case StoreInstruction s -> s.typeKind().slotSize();
            case FieldInstruction f -> switch (f.opcode()) {
                case GETFIELD -> 1;
                case PUTFIELD -> 1 + TypeKind.from(f.typeSymbol()).slotSize();
                case PUTSTATIC -> TypeKind.from(f.typeSymbol()).slotSize();
                default -> 0;
            };
            case InvokeInstruction v -> slots(v.typeSymbol()) + (v.opcode() == Opcode.INVOKESTATIC ? 0 : 1);
            case InvokeDynamicInstruction d -> slots(d.typeSymbol());
            case ArrayStoreInstruction a -> 2 + a.typeKind().slotSize();
            case ReturnInstruction r -> r.typeKind().slotSize();
            case ThrowInstruction t -> 1;
            case MonitorInstruction mo -> 1;
            case TypeCheckInstruction t -> 1;
            case StackInstruction s -> s.opcode() == Opcode.POP || s.opcode() == Opcode.DUP ? 1 : 2;
            default -> 0;   // loads, constants, new, operators and conversions (primitives), array loads
        };
    }

    private static int slots(java.lang.constant.MethodTypeDesc t) {
        int n = 0;
        for (ClassDesc p : t.parameterList()) {
            n += TypeKind.from(p).slotSize();
        }
        return n;
    }

    /** Instance fields the enum declares (the fields a twin's state lives in). */
    static List<String> instanceFields(ClassModel m) {
        return m.fields().stream().filter(f -> (f.flags().flagsMask() & ClassFile.ACC_STATIC) == 0)
                .map(f -> f.fieldName().stringValue()).toList();
    }

    static boolean isInstanceFieldOf(Map<String, List<String>> twins, String owner, String field, Map<String, ClassModel> models) {
        ClassModel m = models.get(owner);
        return twins.containsKey(owner) && m != null && instanceFields(m).contains(field);
    }
}
