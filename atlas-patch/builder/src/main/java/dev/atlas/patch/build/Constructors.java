package dev.atlas.patch.build;

import dev.atlas.patch.build.classfile.StackDepth;
import dev.atlas.patch.classfile.Boxing;
import dev.atlas.patch.classfile.CanonicalCode;
import dev.atlas.patch.classfile.ConstructorCall;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.IncrementInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.ReturnInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Changed constructors. The agent guards a constructor right after its {@code super(..)} or
 * {@code this(..)} call ({@link ConstructorCall}); a patch replaces what follows that call
 * with the static body method {@code replaced$$init(C self, P..)V}. So an object created in
 * the new view is allocated and initialised by the superclass exactly as before, then runs
 * the new release's statements; objects created before keep their state.
 *
 * <p>Replaceable when the code up to and including the call is the same in both builds (same
 * super constructor, same argument code), stores no local variable (the body method starts
 * with only the parameters), leaves the operand stack empty and is covered by no exception
 * handler. The body writes the class's {@code final} fields through the runtime (a
 * nestmate may not {@code putfield} a final field outside {@code <init>}), and ends with a
 * release fence before every return: what the end of a constructor guarantees to readers
 * of final fields (JLS 17.5: writes before the freeze are visible to any thread that sees
 * the reference) holds for objects built by the new body too.
 *
 * <p>When only the code computing the call's arguments differs (same call, code that only
 * computes arguments: {@link ConstructorCall#argumentsReplaceable} in both builds), the patch
 * also replaces the constructor's arguments method ({@link #arguments}): in the new view the
 * agent's entry guard makes the same call with the new arguments.
 *
 * <p>A new constructor, and a changed one whose call goes to another constructor, run through
 * the re-routing guard at the entry of the class's constructors (ARCHITECTURE.md): the patch
 * carries the code before the call ({@link #arguments}, as {@code added$$init$call} /
 * {@code replaced$$init$call}), the code after it ({@link #body}) and the call itself
 * ({@link #initCall}); the code before the call must only compute its arguments
 * ({@link #unaddable}).
 *
 * <p>Stateless; single-threaded use of its transforms.
 */
final class Constructors {
    private static final ClassDesc CD_VAR_HANDLE = ClassDesc.of("java.lang.invoke.VarHandle");

    private Constructors() {
    }

    /** Why the changed constructor {@code nc} cannot replace {@code oc}, or empty when it can. */
    static Optional<String> unreplaceable(MethodModel oc, MethodModel nc, CanonicalCode oldCanon, CanonicalCode newCanon) {
        List<CodeElement> o = oc.code().orElseThrow().elementList();
        List<CodeElement> n = nc.code().orElseThrow().elementList();
        int oi = ConstructorCall.index(o);
        int ni = ConstructorCall.index(n);
        if (oi < 0 || ni < 0) {
            return Optional.of("and it has no super(..) or this(..) call to place its guard after");
        }
        if (!oldCanon.render(o.subList(0, oi + 1)).equals(newCanon.render(n.subList(0, ni + 1)))) {
            boolean sameCall = oldCanon.render(o.subList(oi, oi + 1)).equals(newCanon.render(n.subList(ni, ni + 1)));
            if (!sameCall && !ConstructorCall.argumentsReplaceable(n)) {
                return Optional.of("including its super(..)/this(..) call, which now goes to another constructor, and its "
                        + "code before that call does more than compute the call's arguments (stores a local or a "
                        + "field, uses 'this', throws, or is inside a try block), so the class's construction "
                        + "constructor cannot run it; remedy: restart on the new release");
            }
            if (sameCall && (!ConstructorCall.argumentsReplaceable(o) || !ConstructorCall.argumentsReplaceable(n))) {
                return Optional.of("including the code computing its super(..)/this(..) arguments, which does more than "
                        + "compute them (stores a local, uses 'this', throws, or is inside a try block); remedy: restart "
                        + "on the new release");
            }
        }
        return afterCall(n);
    }

    /** Why the code after the constructor's own call cannot be a body method, or empty. */
    private static Optional<String> afterCall(List<CodeElement> n) {
        int ni = ConstructorCall.index(n);
        int calls = 0;
        for (int i = 0; i <= ni; i++) {
            if (n.get(i) instanceof StoreInstruction || n.get(i) instanceof IncrementInstruction) {
                return Optional.of("and its code before the super(..)/this(..) call stores local variables");
            }
            if (n.get(i) instanceof Instruction) {
                calls++;
            }
        }
        int[] depth = StackDepth.before(n);
        if (calls < depth.length && depth[calls] != 0) {
            return Optional.of("and the operand stack is not empty after its super(..)/this(..) call");
        }
        Map<Label, Integer> at = new IdentityHashMap<>();
        for (int i = 0; i < n.size(); i++) {
            if (n.get(i) instanceof LabelTarget t) {
                at.put(t.label(), i);
            }
        }
        for (CodeElement e : n) {
            if (e instanceof ExceptionCatch c && at.getOrDefault(c.tryStart(), 0) <= ni
                    && at.getOrDefault(c.tryEnd(), Integer.MAX_VALUE) > ni) {
                return Optional.of("and an exception handler covers its super(..)/this(..) call");
            }
        }
        return Optional.empty();
    }

    /**
     * Why the new constructor {@code nc} cannot be added (run through the class's construction
     * constructor), or empty when it can: its code before its {@code super(..)}/{@code this(..)}
     * call must only compute the call's arguments, and the code after it must start from an
     * empty stack outside any exception handler.
     */
    static Optional<String> unaddable(MethodModel nc) {
        List<CodeElement> n = nc.code().orElseThrow().elementList();
        if (ConstructorCall.index(n) < 0) {
            return Optional.of("new constructor without a super(..) or this(..) call");
        }
        if (!ConstructorCall.argumentsReplaceable(n)) {
            return Optional.of("new constructor whose code before its super(..)/this(..) call does more than compute "
                    + "the call's arguments (stores a local or a field, as an inner class's constructor stores its "
                    + "outer instance; uses 'this'; throws; or is inside a try block), which the class's construction "
                    + "constructor cannot run; remedy: restart on the new release");
        }
        return afterCall(n);
    }

    /**
     * The {@code super(..)}/{@code this(..)} call of a constructor that runs through the
     * re-routing guards of the class's constructors, as {@code MethodChange.initCall} names it ({@code "super(..)V"} or
     * {@code "this(..)V"}, loaded names): every constructor the patch adds, and a replaced one
     * whose call goes to another constructor than before; null for any other.
     */
    static String initCall(ClassDiff.Plan plan, MethodModel m, GenContext ctx) {
        if (!m.methodName().equalsString("<init>")) {
            return null;
        }
        List<CodeElement> n = m.code().orElseThrow().elementList();
        int ni = ConstructorCall.index(n);
        if (!plan.added().contains(m)) {
            String desc = ctx.remap.map(m.methodTypeSymbol()).descriptorString();
            Optional<MethodModel> o = plan.oldModel().methods().stream()
                    .filter(x -> x.methodName().equalsString("<init>") && x.methodType().equalsString(desc)).findFirst();
            if (o.isEmpty()) {
                return null;
            }
            List<CodeElement> oc = o.get().code().orElseThrow().elementList();
            int oi = ConstructorCall.index(oc);
            if (ClassDiff.canon(plan.oldModel(), java.util.function.UnaryOperator.identity()).render(oc.subList(oi, oi + 1))
                    .equals(ClassDiff.canon(plan.newModel(), ctx.remap::name).render(n.subList(ni, ni + 1)))) {
                return null;
            }
        }
        java.lang.classfile.instruction.InvokeInstruction call = (java.lang.classfile.instruction.InvokeInstruction) n.get(ni);
        boolean self = call.owner().asInternalName().equals(plan.newModel().thisClass().asInternalName());
        return (self ? "this" : "super") + ctx.remap.map(call.typeSymbol()).descriptorString();
    }

    /**
     * Whether the code computing the {@code super(..)}/{@code this(..)} arguments differs
     * (for a constructor {@link #unreplaceable} accepted: then the call itself is the same).
     */
    static boolean argumentsChanged(MethodModel oc, MethodModel nc, CanonicalCode oldCanon, CanonicalCode newCanon) {
        List<CodeElement> o = oc.code().orElseThrow().elementList();
        List<CodeElement> n = nc.code().orElseThrow().elementList();
        return !oldCanon.render(o.subList(0, ConstructorCall.index(o))).equals(newCanon.render(n.subList(0, ConstructorCall.index(n))));
    }

    /**
     * The new arguments code of a constructor, {@link ConstructorCall#ARGUMENTS_METHOD}: its
     * code before the {@code super(..)}/{@code this(..)} call without the leading
     * {@code aload_0}, rewritten by {@code rewriter}, then the call's arguments boxed into an
     * {@code Object[]} that it returns. Slot 0 (the placeholder for {@code this}) is never read.
     */
    static CodeTransform arguments(MethodModel constructor, CodeTransform rewriter) {
        List<CodeElement> code = constructor.code().orElseThrow().elementList();
        int call = ConstructorCall.index(code);
        MethodTypeDesc callType = ((java.lang.classfile.instruction.InvokeInstruction) code.get(call)).typeSymbol();
        return new CodeTransform() {
            private int index;
            private boolean leadingThis = true;

            @Override
            public void accept(CodeBuilder cb, CodeElement e) {
                int i = index++;
                if (i > call || e instanceof ExceptionCatch) {
                    return;
                }
                if (i == call) {
                    pack(cb, callType);
                    return;
                }
                if (leadingThis && e instanceof Instruction) {
                    leadingThis = false;   // the aload_0 of the call
                    return;
                }
                rewriter.accept(cb, e);
            }
        };
    }

    private static void pack(CodeBuilder cb, MethodTypeDesc callType) {
        int n = callType.parameterCount();
        int[] slots = new int[n];
        for (int i = n - 1; i >= 0; i--) {
            java.lang.classfile.TypeKind k = java.lang.classfile.TypeKind.from(callType.parameterType(i));
            slots[i] = cb.allocateLocal(k);
            cb.storeLocal(k, slots[i]);
        }
        cb.loadConstant(n);
        cb.anewarray(ConstantDescs.CD_Object);
        for (int i = 0; i < n; i++) {
            ClassDesc t = callType.parameterType(i);
            java.lang.classfile.TypeKind k = java.lang.classfile.TypeKind.from(t);
            cb.dup();
            cb.loadConstant(i);
            cb.loadLocal(k, slots[i]);
            Boxing.box(cb, t);
            cb.aastore();
        }
        cb.areturn();
    }

    /**
     * The body of a changed constructor: its code after the {@code super(..)}/{@code this(..)}
     * call, rewritten by {@code rewriter}, a release fence before each return. Instructions
     * up to the call are dropped; labels, handlers and line numbers there are kept.
     */
    static CodeTransform body(MethodModel constructor, CodeTransform rewriter) {
        int call = ConstructorCall.index(constructor.code().orElseThrow().elementList());
        return new CodeTransform() {
            private int index;

            @Override
            public void accept(CodeBuilder cb, CodeElement e) {
                int i = index++;
                if (i <= call && e instanceof Instruction) {
                    return;
                }
                if (e instanceof ReturnInstruction) {
                    cb.invokestatic(CD_VAR_HANDLE, "releaseFence", MethodTypeDesc.of(ConstantDescs.CD_void));
                }
                rewriter.accept(cb, e);
            }
        };
    }
}
