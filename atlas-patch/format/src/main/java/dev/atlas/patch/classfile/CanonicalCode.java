package dev.atlas.patch.classfile;

import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.ArrayLoadInstruction;
import java.lang.classfile.instruction.ArrayStoreInstruction;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.ConvertInstruction;
import java.lang.classfile.instruction.DiscontinuedInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.IncrementInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.NewPrimitiveArrayInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.lang.classfile.instruction.TypeCheckInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDesc;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Renders code as a list of lines that do not depend on the constant pool layout, the
 * instruction forms ({@code ldc}/{@code ldc_w}, {@code iload_0}/{@code iload 0},
 * {@code goto}/{@code goto_w}, {@code iconst_1}/{@code bipush 1}) or debug attributes.
 * Used for {@link ClassFingerprint} and by the patch builder to compare method bodies.
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=canonical-code}
 *
 * <p>Implementation notes: labels are rendered as the index of the instruction they are
 * bound to (pseudo-instructions do not count); exception table entries follow the
 * instructions in table order. Every class name goes through the {@code names} mapping
 * and every {@code invokedynamic} first through {@code indyOverride} (a non-null answer
 * replaces its rendering), which lets the builder compare renumbered lambdas and
 * anonymous classes.
 */
public final class CanonicalCode {
    private final UnaryOperator<String> names;
    private final Function<InvokeDynamicInstruction, String> indyOverride;

    private CanonicalCode(UnaryOperator<String> names, Function<InvokeDynamicInstruction, String> indyOverride) {
        this.names = Objects.requireNonNull(names, "names");
        this.indyOverride = Objects.requireNonNull(indyOverride, "indyOverride");
    }

    /** A renderer mapping internal class names through {@code names}. */
    public static CanonicalCode of(UnaryOperator<String> names, Function<InvokeDynamicInstruction, String> indyOverride) {
        return new CanonicalCode(names, indyOverride);
    }

    /** A renderer that keeps names as they are. */
    public static CanonicalCode plain() {
        return new CanonicalCode(UnaryOperator.identity(), indy -> null);
    }

    /** The canonical lines of a whole code attribute. */
    public List<String> render(CodeModel code) {
        return render(code.elementList());
    }

    /** The canonical lines of a sequence of code elements (a whole body or a part of one). */
    public List<String> render(List<CodeElement> elements) {
        Map<Label, Integer> index = new IdentityHashMap<>();
        int n = 0;
        for (CodeElement e : elements) {
            if (e instanceof LabelTarget t) {
                index.put(t.label(), n);
            } else if (e instanceof Instruction) {
                n++;
            }
        }
        List<String> lines = new ArrayList<>();
        List<String> handlers = new ArrayList<>();
        for (CodeElement e : elements) {
            if (e instanceof Instruction i) {
                lines.add(instruction(i, index));
            } else if (e instanceof ExceptionCatch c) {
                handlers.add("catch " + label(c.tryStart(), index) + " " + label(c.tryEnd(), index) + " "
                        + label(c.handler(), index) + " "
                        + c.catchType().map(t -> names.apply(t.asInternalName())).orElse("*"));
            }
        }
        lines.addAll(handlers);
        return lines;
    }

    private static String label(Label l, Map<Label, Integer> index) {
        Integer i = index.get(l);
        return i == null ? "?" : "@" + i;
    }

    /** One instruction; {@code index} maps labels to instruction indexes. */
    public String instruction(Instruction i, Map<Label, Integer> index) {
        return switch (i) {
            case LoadInstruction l -> "load " + l.typeKind() + " " + l.slot();
            case StoreInstruction s -> "store " + s.typeKind() + " " + s.slot();
            case IncrementInstruction inc -> "inc " + inc.slot() + " " + inc.constant();
            case ConstantInstruction c -> "const " + constant(c.constantValue());
            case BranchInstruction b -> branchName(b.opcode()) + " " + label(b.target(), index);
            case LookupSwitchInstruction s -> "lookupswitch " + label(s.defaultTarget(), index) + cases(s.cases(), index);
            case TableSwitchInstruction s -> "tableswitch " + s.lowValue() + " " + s.highValue() + " "
                    + label(s.defaultTarget(), index) + cases(s.cases(), index);
            case FieldInstruction f -> f.opcode().name().toLowerCase() + " " + cls(f.owner().asSymbol()) + "."
                    + f.name().stringValue() + ":" + desc(f.typeSymbol());
            case InvokeInstruction v -> v.opcode().name().toLowerCase() + (v.isInterface() ? " I " : " ")
                    + cls(v.owner().asSymbol()) + "." + v.name().stringValue() + methodType(v.typeSymbol());
            case InvokeDynamicInstruction d -> {
                String over = indyOverride.apply(d);
                yield over != null ? over : "indy " + d.name().stringValue() + methodType(d.typeSymbol()) + " "
                        + constant(d.bootstrapMethod()) + " " + d.bootstrapArgs().stream().map(this::constant).toList();
            }
            case NewObjectInstruction o -> "new " + cls(o.className().asSymbol());
            case NewPrimitiveArrayInstruction a -> "newarray " + a.typeKind();
            case NewReferenceArrayInstruction a -> "anewarray " + desc(a.componentType().asSymbol());
            case NewMultiArrayInstruction a -> "multianewarray " + desc(a.arrayType().asSymbol()) + " " + a.dimensions();
            case TypeCheckInstruction t -> t.opcode().name().toLowerCase() + " " + desc(t.type().asSymbol());
            case DiscontinuedInstruction.JsrInstruction j -> "jsr " + label(j.target(), index);
            case DiscontinuedInstruction.RetInstruction r -> "ret " + r.slot();
            case ArrayLoadInstruction a -> a.opcode().name().toLowerCase();
            case ArrayStoreInstruction a -> a.opcode().name().toLowerCase();
            case ConvertInstruction c -> c.opcode().name().toLowerCase();
            default -> i.opcode().name().toLowerCase();
        };
    }

    private static String branchName(Opcode op) {
        return switch (op) {
            case GOTO_W -> "goto";
            default -> op.name().toLowerCase();
        };
    }

    private String cases(List<SwitchCase> cases, Map<Label, Integer> index) {
        StringBuilder sb = new StringBuilder();
        for (SwitchCase c : cases) {
            sb.append(' ').append(c.caseValue()).append(':').append(label(c.target(), index));
        }
        return sb.toString();
    }

    /** The internal name, mapped. */
    public String cls(ClassDesc c) {
        return c.isClassOrInterface() ? names.apply(internalName(c)) : desc(c);
    }

    /** A field descriptor with every class name mapped. */
    public String desc(ClassDesc c) {
        if (c.isArray()) {
            return "[" + desc(c.componentType());
        }
        if (c.isPrimitive()) {
            return c.descriptorString();
        }
        return "L" + names.apply(internalName(c)) + ";";
    }

    /** A method descriptor with every class name mapped. */
    public String methodType(MethodTypeDesc t) {
        StringBuilder sb = new StringBuilder("(");
        for (ClassDesc p : t.parameterList()) {
            sb.append(desc(p));
        }
        return sb.append(')').append(desc(t.returnType())).toString();
    }

    /** A constant by value and type, names mapped; strings length-prefixed. */
    public String constant(ConstantDesc c) {
        return switch (c) {
            case null -> "null";
            case Integer v -> "I" + v;
            case Long v -> "J" + v;
            case Float v -> "F" + Integer.toHexString(Float.floatToRawIntBits(v));
            case Double v -> "D" + Long.toHexString(Double.doubleToRawLongBits(v));
            case String s -> "S" + s.length() + ":" + s;
            case ClassDesc d -> "C" + desc(d);
            case MethodTypeDesc m -> "T" + methodType(m);
            case DirectMethodHandleDesc h -> "H" + h.kind() + " " + cls(h.owner()) + "." + h.methodName()
                    + lookupDesc(h.lookupDescriptor());
            case MethodHandleDesc h -> "H?" + h;
            case DynamicConstantDesc<?> d -> "K" + d.constantName() + " " + desc(d.constantType()) + " "
                    + constant(d.bootstrapMethod()) + " " + d.bootstrapArgsList().stream().map(this::constant).toList();
            default -> "?" + c;
        };
    }

    private String lookupDesc(String d) {
        return d.startsWith("(") ? methodType(MethodTypeDesc.ofDescriptor(d)) : desc(ClassDesc.ofDescriptor(d));
    }

    /** {@code com/acme/Foo} for a class or interface descriptor. */
    public static String internalName(ClassDesc c) {
        String d = c.descriptorString();
        return d.substring(1, d.length() - 1);
    }
}
