package dev.atlas.patch.instrument;

import dev.atlas.patch.runtime.MethodRegistry;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Opcode;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * Rewrites, in a class being loaded, the calls that name a method some applied patch added
 * ({@code invokevirtual}, {@code invokeinterface} and {@code invokestatic} whose name and descriptor match one), into
 * {@code invokedynamic} sites linked by {@link dev.atlas.patch.runtime.OutsideCalls}: code
 * outside the patch that is loaded after the apply reaches the added method in the views that
 * have it and gets {@link NoSuchMethodError} in the others. Other instructions are left alone.
 *
 * <p>Implementation notes: only the name and descriptor are matched here (the owner named by
 * the instruction may be a subclass of the class the method was added to, which is not known
 * without loading it); the bootstrap links a method the class really has as the instruction
 * would. The constant pool is scanned first, so a class naming no added method is returned
 * untouched without a transformation. Class files older than Java 7 (no
 * {@code invokedynamic}) are left alone.
 *
 * <p>Threading: stateless; called on class-loading threads.
 */
final class OutsideCallRewriter {
    private static final DirectMethodHandleDesc BSM = ConstantDescs.ofCallsiteBootstrap(
            ClassDesc.of("dev.atlas.patch.runtime.OutsideCalls"), "link", ConstantDescs.CD_CallSite,
            ConstantDescs.CD_int, ConstantDescs.CD_String, ConstantDescs.CD_int);

    private OutsideCallRewriter() {}

    /** The class with its calls of added methods rewritten, or null if it names none. */
    static byte[] rewrite(MethodRegistry registry, ClassModel model, ClassFile cf) {
        if (!registry.hasAddedMethods() || model.majorVersion() < ClassFile.JAVA_7_VERSION || !namesAdded(registry, model)) {
            return null;
        }
        int link = registry.linkIndex();
        CodeTransform calls = (cob, coe) -> {
            if (coe instanceof InvokeInstruction i && matches(registry, i)) {
                boolean st = i.opcode() == Opcode.INVOKESTATIC;
                MethodTypeDesc type = st ? i.typeSymbol() : i.typeSymbol().insertParameterTypes(0, i.owner().asSymbol());
                cob.invokedynamic(DynamicCallSiteDesc.of(BSM, i.name().stringValue(), type, link,
                        i.owner().asInternalName(), st ? 1 : 0));
            } else {
                cob.with(coe);
            }
        };
        return cf.transformClass(model, ClassTransform.transformingMethodBodies(calls));
    }

    private static boolean namesAdded(MethodRegistry registry, ClassModel model) {
        for (PoolEntry e : model.constantPool()) {
            if (e instanceof MemberRefEntry m && registry.hasAddedName(m.name().stringValue())
                    && registry.namesAddedMethod(m.name().stringValue(), m.type().stringValue())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(MethodRegistry registry, InvokeInstruction i) {
        return (i.opcode() == Opcode.INVOKEVIRTUAL || i.opcode() == Opcode.INVOKESTATIC || i.opcode() == Opcode.INVOKEINTERFACE)
                && !i.owner().asInternalName().startsWith("[")
                && registry.namesAddedMethod(i.name().stringValue(), i.type().stringValue());
    }
}
