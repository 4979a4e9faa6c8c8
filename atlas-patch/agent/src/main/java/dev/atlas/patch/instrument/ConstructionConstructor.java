package dev.atlas.patch.instrument;

import dev.atlas.patch.classfile.Boxing;
import dev.atlas.patch.runtime.Constructions;
import dev.atlas.patch.runtime.MethodSlot;
import java.lang.classfile.ClassBuilder;
import java.lang.classfile.ClassFile;
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
 * The construction constructor: one constructor the agent adds to a patchable class when it
 * first loads it (members can be added then, never later), on which a patch builds the
 * constructors it adds and the constructors whose {@code super(..)}/{@code this(..)} call
 * goes to another constructor in the new release.
 *
 * {@snippet lang=text :
 * private synthetic C(MethodHandle prologue, Object[] a) {
 *     Object[] r = prologue.invokeExact(a)      // the patch's code before its super/this call:
 *                                               // {Integer call, MethodHandle rest, arguments..}
 *     switch (r[0]) {                           // one case per constructor C may call (calls())
 *         case 0: super((T) r[2], ..); break;   // each non-private constructor of the superclass
 *         case k: this((T) r[2], ..); break;    // each constructor of C, this one included
 *     }
 *     ((MethodHandle) r[1]).invokeExact((Object) this, a)   // the rest of the new constructor
 * }
 * }
 *
 * and, at the entry of each of C's own constructors (before its {@code super(..)} call), a
 * guard that hands the whole construction over to it when the thread's view says so:
 *
 * {@snippet lang=text :
 * MH p = target(slot atlas$initCall(P..))   // null unless the view re-routes this constructor
 * if (p != null) { this(p, new Object[] {p1, .., pn}); return; }
 * }
 *
 * <p>Implementation notes: the calls are fixed when the class loads; a patch names its call
 * ({@code MethodChange.initCall}) and the runtime ({@link Constructions}) turns it into the
 * case number, refusing a call that is not among them. Every path through the switch
 * initialises {@code this} exactly once, so the code after it sees an initialised object.
 * Stateless.
 */
final class ConstructionConstructor {
    private static final ClassDesc CD_ISE = ClassDesc.of("java.lang.IllegalStateException");
    private static final MethodTypeDesc PROLOGUE = MethodTypeDesc.of(ConstantDescs.CD_Object.arrayType(),
            ConstantDescs.CD_Object.arrayType());
    private static final MethodTypeDesc REST = MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_Object,
            ConstantDescs.CD_Object.arrayType());

    private ConstructionConstructor() {
    }

    /**
     * Whether {@code C} can get one: a class (not an interface) that does not already declare
     * a constructor of the construction constructor's descriptor.
     */
    static boolean applies(java.lang.classfile.ClassModel model) {
        if (model.flags().has(java.lang.reflect.AccessFlag.INTERFACE)) {
            return false;
        }
        for (MethodModel m : model.methods()) {
            if (m.methodName().equalsString("<init>") && m.methodType().equalsString(Constructions.DESCRIPTOR)) {
                return false;
            }
        }
        return true;
    }

    /** The calls, in case order: {@code "super" + d} for each of {@code superConstructors}, {@code "this" + d} for C's own. */
    static List<String> calls(java.lang.classfile.ClassModel model, List<String> superConstructors) {
        List<String> calls = new ArrayList<>();
        for (String d : superConstructors) {
            calls.add("super" + d);
        }
        for (MethodModel m : model.methods()) {
            if (m.methodName().equalsString("<init>")) {
                calls.add("this" + m.methodType().stringValue());
            }
        }
        calls.add("this" + Constructions.DESCRIPTOR);
        return calls;
    }

    /** Adds the construction constructor of {@code owner} (superclass {@code superclass}) making {@code calls}. */
    static void add(ClassBuilder cb, ClassDesc owner, ClassDesc superclass, List<String> calls) {
        cb.withMethodBody("<init>", MethodTypeDesc.ofDescriptor(Constructions.DESCRIPTOR),
                ClassFile.ACC_PRIVATE | ClassFile.ACC_SYNTHETIC, b -> {
                    int r = 3;
                    b.aload(1);
                    b.aload(2);
                    b.invokevirtual(ConstantDescs.CD_MethodHandle, "invokeExact", PROLOGUE);
                    b.astore(r);
                    b.aload(r);
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
                            b.aload(r);
                            b.loadConstant(p + 2);
                            b.aaload();
                            Boxing.unbox(b, type.parameterType(p));
                        }
                        b.invokespecial(isSuper ? superclass : owner, "<init>", type);
                        b.goto_(after);
                    }
                    b.labelBinding(unknown);
                    b.new_(CD_ISE);
                    b.dup();
                    b.ldc("no such constructor call in the construction constructor of " + owner.displayName());
                    b.invokespecial(CD_ISE, "<init>", MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_String));
                    b.athrow();
                    b.labelBinding(after);
                    b.aload(r);
                    b.iconst_1();
                    b.aaload();
                    b.checkcast(ConstantDescs.CD_MethodHandle);
                    b.aload(0);
                    b.aload(2);
                    b.invokevirtual(ConstantDescs.CD_MethodHandle, "invokeExact", REST);
                    b.return_();
                });
    }

    /**
     * The re-routing guard at the entry of a constructor of {@code owner} with descriptor
     * {@code constructor}; falls through (stack empty) to the constructor's own code.
     *
     * @param handle a free local slot for the prologue handle
     */
    static void emitGuard(CodeBuilder b, MethodSlot slot, ClassDesc owner, MethodTypeDesc constructor, int handle, int link) {
        Label original = b.newLabel();
        b.invokedynamic(DynamicCallSiteDesc.of(CodeInstrumenter.BSM_TARGET, "target", CodeInstrumenter.MTD_TARGET, link, slot.id()));
        b.dup();
        b.ifnull(original);
        b.astore(handle);
        b.aload(0);
        b.aload(handle);
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
        b.invokespecial(owner, "<init>", MethodTypeDesc.ofDescriptor(Constructions.DESCRIPTOR));
        b.return_();
        b.labelBinding(original);
        b.pop();
    }
}
