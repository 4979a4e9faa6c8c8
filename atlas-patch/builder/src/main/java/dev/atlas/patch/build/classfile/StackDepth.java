package dev.atlas.patch.build.classfile;

import java.lang.classfile.CodeElement;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.TypeKind;
import java.lang.classfile.instruction.ArrayLoadInstruction;
import java.lang.classfile.instruction.ArrayStoreInstruction;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.ConvertInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.MonitorInstruction;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.OperatorInstruction;
import java.lang.classfile.instruction.ReturnInstruction;
import java.lang.classfile.instruction.StackInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.lang.classfile.instruction.ThrowInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operand stack depth (in slots; long and double count two) before each instruction of
 * a code sequence, found by one forward pass. Used to cut statements such as
 * {@code this.f = <expr>;} out of constructors: a statement starts where the depth is 0.
 *
 * {@snippet class=dev.atlas.patch.snippets.BuilderSnippets region=stack-depth}
 *
 * <p>Implementation notes: after an unconditional transfer the depth is taken from the
 * branches seen to that label so far (javac code never jumps backwards to a point with a
 * non-empty stack); exception handlers start at depth 1. Unknown depth is -1.
 */
public final class StackDepth {
    private StackDepth() {
    }

    /** Depth before each instruction (instructions only, pseudo-instructions skipped). */
    public static int[] before(List<CodeElement> elements) {
        Map<Label, Integer> atLabel = new IdentityHashMap<>();
        for (CodeElement e : elements) {
            if (e instanceof ExceptionCatch c) {
                atLabel.put(c.handler(), 1);
            }
        }
        int count = (int) elements.stream().filter(e -> e instanceof Instruction).count();
        int[] depths = new int[count];
        int depth = 0;
        int i = 0;
        for (CodeElement e : elements) {
            if (e instanceof LabelTarget t) {
                Integer known = atLabel.get(t.label());
                if (depth < 0 && known != null) {
                    depth = known;
                } else if (depth >= 0) {
                    atLabel.putIfAbsent(t.label(), depth);
                }
            } else if (e instanceof Instruction ins) {
                depths[i++] = depth;
                if (depth < 0) {
                    continue;
                }
                depth += delta(ins);
                switch (ins) {
                    case BranchInstruction b -> {
                        atLabel.putIfAbsent(b.target(), depth);
                        if (b.opcode() == java.lang.classfile.Opcode.GOTO || b.opcode() == java.lang.classfile.Opcode.GOTO_W) {
                            depth = -1;
                        }
                    }
                    case LookupSwitchInstruction s -> {
                        atLabel.putIfAbsent(s.defaultTarget(), depth);
                        s.cases().forEach(c -> atLabel.putIfAbsent(c.target(), 0));
                        depth = -1;
                    }
                    case TableSwitchInstruction s -> {
                        atLabel.putIfAbsent(s.defaultTarget(), depth);
                        s.cases().forEach(c -> atLabel.putIfAbsent(c.target(), 0));
                        depth = -1;
                    }
                    case ReturnInstruction r -> depth = -1;
                    case ThrowInstruction t -> depth = -1;
                    default -> {
                    }
                }
            }
        }
        return depths;
    }

    private static int size(ClassDesc d) {
        return TypeKind.from(d).slotSize();
    }

    private static int args(MethodTypeDesc t) {
        int n = 0;
        for (ClassDesc p : t.parameterList()) {
            n += size(p);
        }
        return n;
    }

    /** The change of depth caused by one instruction. */
    public static int delta(Instruction ins) {
        return switch (ins) {
            case LoadInstruction l -> l.typeKind().slotSize();
            case StoreInstruction s -> -s.typeKind().slotSize();
            case ConstantInstruction c -> c.typeKind().slotSize();
            case FieldInstruction f -> switch (f.opcode()) {
                case GETSTATIC -> size(f.typeSymbol());
                case GETFIELD -> size(f.typeSymbol()) - 1;
                case PUTSTATIC -> -size(f.typeSymbol());
                default -> -size(f.typeSymbol()) - 1;
            };
            case InvokeInstruction v -> size(v.typeSymbol().returnType()) - args(v.typeSymbol())
                    - (v.opcode() == java.lang.classfile.Opcode.INVOKESTATIC ? 0 : 1);
            case InvokeDynamicInstruction d -> size(d.typeSymbol().returnType()) - args(d.typeSymbol());
            case NewObjectInstruction n -> 1;
            case NewMultiArrayInstruction n -> 1 - n.dimensions();
            case ArrayLoadInstruction a -> a.typeKind().slotSize() - 2;
            case ArrayStoreInstruction a -> -2 - a.typeKind().slotSize();
            case BranchInstruction b -> switch (b.opcode()) {
                case GOTO, GOTO_W -> 0;
                case IFEQ, IFNE, IFLT, IFGE, IFGT, IFLE, IFNULL, IFNONNULL -> -1;
                default -> -2;
            };
            case LookupSwitchInstruction s -> -1;
            case TableSwitchInstruction s -> -1;
            case ReturnInstruction r -> -r.typeKind().slotSize();
            case ThrowInstruction t -> -1;
            case MonitorInstruction m -> -1;
            case OperatorInstruction o -> operator(o);
            case ConvertInstruction c -> c.toType().slotSize() - c.fromType().slotSize();
            case StackInstruction s -> switch (s.opcode()) {
                case POP -> -1;
                case POP2 -> -2;
                case DUP, DUP_X1, DUP_X2 -> 1;
                case DUP2, DUP2_X1, DUP2_X2 -> 2;
                default -> 0;
            };
            default -> 0; // nop, iinc, checkcast, instanceof (pops 1 pushes 1), newarray, anewarray
        };
    }

    private static final Map<String, Integer> OPERATORS = new HashMap<>();

    static {
        for (String op : List.of("IADD", "ISUB", "IMUL", "IDIV", "IREM", "IAND", "IOR", "IXOR", "ISHL", "ISHR", "IUSHR",
                "FADD", "FSUB", "FMUL", "FDIV", "FREM", "FCMPL", "FCMPG", "LSHL", "LSHR", "LUSHR")) {
            OPERATORS.put(op, -1);
        }
        for (String op : List.of("LADD", "LSUB", "LMUL", "LDIV", "LREM", "LAND", "LOR", "LXOR",
                "DADD", "DSUB", "DMUL", "DDIV", "DREM")) {
            OPERATORS.put(op, -2);
        }
        for (String op : List.of("LCMP", "DCMPL", "DCMPG")) {
            OPERATORS.put(op, -3);
        }
    }

    private static int operator(OperatorInstruction o) {
        return OPERATORS.getOrDefault(o.opcode().name(), 0); // neg and arraylength: 0
    }
}
