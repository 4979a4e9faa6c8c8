package dev.atlas.patch.instrument;

import dev.atlas.patch.classfile.Boxing;
import dev.atlas.patch.classfile.ConstructorCall;
import dev.atlas.patch.runtime.MethodSlot;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.TypeKind;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * The entry guard of a constructor whose {@code super(..)}/{@code this(..)} arguments a patch
 * may recompute ({@link ConstructorCall#argumentsReplaceable}). In a view that overrides the
 * constructor's {@value ConstructorCall#ARGUMENTS_METHOD} slot, the guard calls the new
 * arguments code, makes the constructor's own call with what it returned, and continues
 * right after the original call (where the body guard sits); elsewhere it falls through to
 * the original code.
 *
 * {@snippet lang=text :
 * MH h = target(slot)            // null unless the thread's view overrides the arguments
 * if (h != null) {
 *     Object[] a = h(null, p1..pn)
 *     invokespecial this.<init>((T1) a[0] .. (Tk) a[k-1])   // the same call as the original
 *     goto afterCall
 * }
 * ... original code up to and including the call ...
 * afterCall:
 * }
 *
 * <p>Implementation notes: {@code this} is uninitialised before the call, so the arguments
 * code gets a {@code null} in its place; the original code before the call stores no local,
 * so both paths reach {@code afterCall} with the same locals (the array's slot is dead there).
 * Stateless.
 */
final class ConstructorArgumentsGuard {
    private ConstructorArgumentsGuard() {
    }

    /**
     * Emits the guard at the constructor's entry.
     *
     * @param constructor the constructor's descriptor
     * @param call its own {@code super(..)}/{@code this(..)} call
     * @param array a free local slot for the argument array
     * @param afterCall the label the caller binds right after {@code call}
     * @param link the registry's index for the bootstrap methods (as the other guards)
     */
    static void emit(CodeBuilder b, MethodSlot slot, MethodTypeDesc constructor, InvokeInstruction call, int array,
                     Label afterCall, int link) {
        Label original = b.newLabel();
        b.invokedynamic(DynamicCallSiteDesc.of(CodeInstrumenter.BSM_TARGET, "target", CodeInstrumenter.MTD_TARGET, link, slot.id()));
        b.dup();
        b.ifnull(original);
        b.aconst_null();
        int s = 1;
        for (ClassDesc p : constructor.parameterList()) {
            TypeKind k = TypeKind.from(p);
            b.loadLocal(k, s);
            s += k.slotSize();
        }
        MethodTypeDesc argsType = MethodTypeDesc.ofDescriptor(ConstructorCall.argumentsDescriptor(constructor.descriptorString()));
        b.invokedynamic(DynamicCallSiteDesc.of(CodeInstrumenter.BSM_INVOKER, "invoke",
                argsType.insertParameterTypes(0, ConstantDescs.CD_MethodHandle), link, slot.id()));
        b.astore(array);
        b.aload(0);
        MethodTypeDesc callType = call.typeSymbol();
        for (int i = 0; i < callType.parameterCount(); i++) {
            b.aload(array);
            b.loadConstant(i);
            b.aaload();
            Boxing.unbox(b, callType.parameterType(i));
        }
        b.invokespecial(call.owner().asSymbol(), "<init>", callType);
        b.goto_(afterCall);
        b.labelBinding(original);
        b.pop();
    }
}
