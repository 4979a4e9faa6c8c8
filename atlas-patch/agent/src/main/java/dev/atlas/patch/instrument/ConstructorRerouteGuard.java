package dev.atlas.patch.instrument;

import dev.atlas.patch.classfile.Boxing;
import dev.atlas.patch.classfile.ConstructorCall;
import dev.atlas.patch.runtime.Constructions;
import dev.atlas.patch.runtime.MethodSlot;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.TypeKind;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.List;

/**
 * The re-routing guard at the entry of every constructor of a patchable class, on which a
 * patch builds the constructors it adds and the constructors whose {@code super(..)}/{@code this(..)}
 * call goes to another constructor in the new release. It adds no member (a loaded class
 * cannot get one, and reflection sees the class as it was): the class's first constructor,
 * its <em>entry</em> constructor, can make, instead of its own code, any call the class may
 * make (below); every other constructor's guard only hands a construction over to it
 * ({@code this(placeholders of the entry constructor); Constructions.handedOver(); return;} once the resolver left the
 * construction pending there), so that only one constructor of a class grows by the switch.
 *
 * {@snippet lang=text :
 * MH h = target(slot atlas$initCall(P..))     // null unless the thread's view re-routes constructions of C
 * if (h != null) {
 *     Object[] r = h.invokeExact(new Object[] {p1, .., pn})   // null: not this construction
 *     if (r != null) {                         // {Integer call, MethodHandle rest, Object[] args, call arguments..}
 *         switch (r[0]) {                      // one case per call C may make (calls())
 *             case 0: super((T) r[3], ..); break;   // each non-private constructor of the superclass
 *             case k: this((T) r[3], ..); break;    // each constructor of C
 *         }
 *         ((MethodHandle) r[1]).invokeExact((Object) this, (Object[]) r[2]);   // the rest of the new constructor
 *         return;
 *     }
 * }
 * ... the constructor's own code ...
 * }
 *
 * <p>Implementation notes: the calls are fixed when the class is instrumented (at load, or
 * at a late attach's retransformation: only code changes); a patch names its call
 * ({@code MethodChange.initCall}) and the runtime ({@code Constructions}) turns it into the
 * case number, refusing a call that is not among them. Every path through the switch
 * initialises {@code this} exactly once before the rest runs. Stateless.
 */
final class ConstructorRerouteGuard {
    private static final ClassDesc CD_ISE = ClassDesc.of("java.lang.IllegalStateException");
    private static final ClassDesc CD_CONSTRUCTIONS = ClassDesc.of(Constructions.class.getName());
    private static final MethodTypeDesc RESOLVE = MethodTypeDesc.of(ConstantDescs.CD_Object.arrayType(),
            ConstantDescs.CD_Object.arrayType());
    private static final MethodTypeDesc REST = MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_Object,
            ConstantDescs.CD_Object.arrayType());

    private ConstructorRerouteGuard() {
    }

    private static void placeholder(CodeBuilder b, ClassDesc type) {
        switch (TypeKind.from(type)) {
            case LONG -> b.lconst_0();
            case FLOAT -> b.fconst_0();
            case DOUBLE -> b.dconst_0();
            case REFERENCE -> b.aconst_null();
            default -> b.iconst_0();
        }
    }

    /**
     * The calls, in case order: {@code "super" + d} for each of {@code superConstructors},
     * {@code "this" + d} for C's own (those with a {@code super(..)}/{@code this(..)} call, so a
     * guard, first).
     */
    static List<String> calls(ClassModel model, List<String> superConstructors) {
        List<String> calls = new ArrayList<>();
        if (model.flags().has(java.lang.reflect.AccessFlag.INTERFACE)) {
            return calls;
        }
        for (String d : superConstructors) {
            calls.add("super" + d);
        }
        for (int pass = 0; pass < 2; pass++) {   // guarded constructors first: the first of them is the entry constructor
            for (MethodModel m : model.methods()) {
                if (m.methodName().equalsString("<init>") && m.code().isPresent()
                        && (ConstructorCall.index(m.code().get().elementList()) >= 0) == (pass == 0)) {
                    calls.add("this" + m.methodType().stringValue());
                }
            }
        }
        return calls;
    }

    /**
     * The guard at the entry of a constructor of {@code owner} (superclass {@code superclass})
     * with descriptor {@code constructor}; falls through (stack empty) to the constructor's own code.
     *
     * @param result a free local slot for the resolved construction
     */
    static void emit(CodeBuilder b, MethodSlot slot, ClassDesc owner, ClassDesc superclass, MethodTypeDesc constructor,
                     List<String> calls, int result, int link) {
        MethodTypeDesc entry = MethodTypeDesc.ofDescriptor(Constructions.entryDescriptor(calls));
        boolean isEntry = entry.equals(constructor);
        Label original = b.newLabel();
        Label plain = b.newLabel();
        b.invokedynamic(DynamicCallSiteDesc.of(CodeInstrumenter.BSM_TARGET, "target", CodeInstrumenter.MTD_TARGET, link, slot.id()));
        b.dup();
        b.ifnull(original);
        b.loadConstant(constructor.parameterCount());
        b.anewarray(ConstantDescs.CD_Object);
        int s = 1;
        for (int i = 0; i < constructor.parameterCount(); i++) {
            ClassDesc p = constructor.parameterType(i);
            TypeKind k = TypeKind.from(p);
            b.dup();
            b.loadConstant(i);
            b.loadLocal(k, s);
            Boxing.box(b, p);
            b.aastore();
            s += k.slotSize();
        }
        b.invokevirtual(ConstantDescs.CD_MethodHandle, "invokeExact", RESOLVE);
        if (!isEntry) {
            // the construction was handed to the entry constructor (the resolver left it pending there)
            b.ifnull(plain);
            b.aload(0);
            for (ClassDesc p : entry.parameterList()) {
                placeholder(b, p);
            }
            b.invokespecial(owner, "<init>", entry);
            b.invokestatic(CD_CONSTRUCTIONS, "handedOver", MethodTypeDesc.of(ConstantDescs.CD_void));
            b.return_();
            b.labelBinding(original);
            b.pop();
            b.labelBinding(plain);
            return;
        }
        b.astore(result);
        b.aload(result);
        b.ifnull(plain);
        b.aload(result);
        b.iconst_0();
        b.aaload();
        Boxing.unbox(b, ConstantDescs.CD_int);
        Label after = b.newLabel();
        Label unknown = b.newLabel();
        List<SwitchCase> cases = new ArrayList<>();
        List<Label> targets = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Label l = b.newLabel();
            targets.add(l);
            cases.add(SwitchCase.of(i, l));
        }
        b.tableswitch(0, calls.size() - 1, unknown, cases);
        for (int i = 0; i < calls.size(); i++) {
            String call = calls.get(i);
            boolean isSuper = call.startsWith("super");
            MethodTypeDesc type = MethodTypeDesc.ofDescriptor(call.substring(isSuper ? 5 : 4));
            b.labelBinding(targets.get(i));
            b.aload(0);
            for (int p = 0; p < type.parameterCount(); p++) {
                b.aload(result);
                b.loadConstant(p + 3);
                b.aaload();
                Boxing.unbox(b, type.parameterType(p));
            }
            b.invokespecial(isSuper ? superclass : owner, "<init>", type);
            b.goto_(after);
        }
        b.labelBinding(unknown);
        b.new_(CD_ISE);
        b.dup();
        b.ldc("no such constructor call in the re-routing guard of " + owner.displayName());
        b.invokespecial(CD_ISE, "<init>", MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_String));
        b.athrow();
        b.labelBinding(after);
        b.aload(result);
        b.iconst_1();
        b.aaload();
        b.checkcast(ConstantDescs.CD_MethodHandle);
        b.aload(0);
        b.aload(result);
        b.iconst_2();
        b.aaload();
        b.checkcast(ConstantDescs.CD_Object.arrayType());
        b.invokevirtual(ConstantDescs.CD_MethodHandle, "invokeExact", REST);
        b.return_();
        b.labelBinding(original);
        b.pop();
        b.labelBinding(plain);
    }
}
