package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeElement;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.ReturnInstruction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The accessors a compiler generates for a nested class's private static field
 * ({@code static synthetic T access$000() { return F; }}, before nestmates). New code whose
 * view has its own copy of {@code F} reads it directly instead of calling the accessor
 * ({@link CodeRewriter}), and the accessor's callers are the field's readers ({@link StaticState}).
 *
 * <p>Stateless; thread-safe.
 */
final class FieldAccessors {
    private FieldAccessors() {
    }

    /** The {@code getstatic} of {@code m}, if {@code m} is a synthetic static getter without parameters. */
    static Optional<FieldInstruction> staticGetter(MethodModel m) {
        int flags = m.flags().flagsMask();
        if ((flags & (ClassFile.ACC_SYNTHETIC | ClassFile.ACC_STATIC)) != (ClassFile.ACC_SYNTHETIC | ClassFile.ACC_STATIC)
                || !m.methodName().stringValue().startsWith("access$") || !m.methodType().stringValue().startsWith("()")
                || m.code().isEmpty()) {
            return Optional.empty();
        }
        List<Instruction> ins = new ArrayList<>();
        for (CodeElement e : m.code().get()) {
            if (e instanceof Instruction i) {
                ins.add(i);
            }
        }
        if (ins.size() == 2 && ins.get(0) instanceof FieldInstruction f && f.opcode() == Opcode.GETSTATIC
                && ins.get(1) instanceof ReturnInstruction) {
            return Optional.of(f);
        }
        return Optional.empty();
    }

    /** Whether {@code caller} invokes {@code owner.m}. */
    static boolean calls(MethodModel caller, String owner, MethodModel m) {
        for (CodeElement e : caller.code().orElseThrow()) {
            if (e instanceof InvokeInstruction v && v.opcode() == Opcode.INVOKESTATIC && v.owner().asInternalName().equals(owner)
                    && v.name().equals(m.methodName()) && v.type().equals(m.methodType())) {
                return true;
            }
        }
        return false;
    }
}
