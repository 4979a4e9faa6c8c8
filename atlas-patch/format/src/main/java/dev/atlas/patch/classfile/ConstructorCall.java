package dev.atlas.patch.classfile;

import java.lang.classfile.CodeElement;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.Opcode;
import java.lang.classfile.TypeKind;
import java.lang.classfile.instruction.DiscontinuedInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.IncrementInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.ReturnInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.instruction.ThrowInstruction;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the {@code super(..)} or {@code this(..)} call of a constructor: the point after
 * which {@code this} is initialised, where the agent places a constructor's entry guard
 * and from which the builder takes a changed constructor's new body. Both sides use this
 * one rule, so the guard and the body it dispatches to start at the same instruction.
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=constructor-call}
 *
 * <p>A constructor whose code up to that call only computes the call's arguments
 * ({@link #argumentsReplaceable}) also gets a guard at its entry: a patch may recompute the
 * arguments with new code, the static method {@value #ARGUMENTS_METHOD} of
 * {@link #argumentsDescriptor} (a placeholder {@code null} for {@code this}, then the
 * constructor's parameters; the call's arguments boxed in an {@code Object[]}), and the
 * guard makes the same call with them.
 *
 * <p>Implementation notes: an {@code invokespecial <init>} belongs to the innermost pending
 * {@code new} of the same class; the first one that belongs to none is the constructor's own
 * call. Stateless, thread-safe.
 */
public final class ConstructorCall {
    /** Name of the patchable method that computes a constructor's call arguments. */
    public static final String ARGUMENTS_METHOD = "atlas$initArgs";

    private ConstructorCall() {
    }

    /** The descriptor of {@value #ARGUMENTS_METHOD} for a constructor of descriptor {@code constructor}. */
    public static String argumentsDescriptor(String constructor) {
        MethodTypeDesc c = MethodTypeDesc.ofDescriptor(constructor);
        return c.insertParameterTypes(0, ConstantDescs.CD_Object).changeReturnType(ConstantDescs.CD_Object.arrayType())
                .descriptorString();
    }

    /**
     * Whether the code before the constructor's own call only computes that call's arguments:
     * it starts with {@code aload_0} and loads {@code this} nowhere else, stores no local
     * variable, neither returns nor throws, and no exception handler covers it; so the call
     * can be made with arguments computed elsewhere, and the code after it sees the same
     * locals either way.
     */
    public static boolean argumentsReplaceable(List<? extends CodeElement> code) {
        int call = index(code);
        if (call < 0) {
            return false;
        }
        Map<Label, Integer> at = new IdentityHashMap<>();
        for (int i = 0; i < code.size(); i++) {
            if (code.get(i) instanceof LabelTarget t) {
                at.put(t.label(), i);
            }
        }
        boolean first = true;
        for (int i = 0; i < call; i++) {
            CodeElement e = code.get(i);
            if (e instanceof LoadInstruction l && l.slot() == 0 && l.typeKind() == TypeKind.REFERENCE) {
                if (!first) {
                    return false;
                }
            } else if (first && e instanceof Instruction) {
                return false;
            }
            if (e instanceof StoreInstruction || e instanceof IncrementInstruction || e instanceof ReturnInstruction
                    || e instanceof ThrowInstruction || e instanceof DiscontinuedInstruction) {
                return false;
            }
            if (e instanceof Instruction) {
                first = false;
            }
        }
        for (CodeElement e : code) {
            if (e instanceof ExceptionCatch c && at.getOrDefault(c.tryStart(), 0) <= call) {
                return false;
            }
        }
        return true;
    }

    /**
     * Index in {@code code} (instructions only, or all code elements) of the constructor's own
     * {@code <init>} call, -1 if none.
     */
    public static int index(List<? extends CodeElement> code) {
        Deque<String> pendingNew = new ArrayDeque<>();
        for (int i = 0; i < code.size(); i++) {
            if (code.get(i) instanceof NewObjectInstruction n) {
                pendingNew.push(n.className().asInternalName());
            } else if (code.get(i) instanceof InvokeInstruction v && v.opcode() == Opcode.INVOKESPECIAL
                    && v.name().equalsString("<init>")) {
                if (!pendingNew.isEmpty() && pendingNew.peek().equals(v.owner().asInternalName())) {
                    pendingNew.pop();
                } else {
                    return i;
                }
            }
        }
        return -1;
    }
}
