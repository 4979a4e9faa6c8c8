package dev.atlas.patch.runtime;

import dev.atlas.patch.classfile.ConstructorCall;
import dev.atlas.patch.format.MethodChange;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Constructors that run through a class's construction constructor (added by the agent when
 * the class first loaded: {@code dev.atlas.patch.instrument.ConstructionConstructor}): the
 * constructors a patch adds, and those whose {@code super(..)}/{@code this(..)} call goes to
 * another constructor in the new release. For each such constructor the patch's view holds a
 * <em>prologue</em>, {@code (Object[] a)Object[]}: it runs the new code before the call
 * (the body class's arguments method) and answers which call the construction constructor
 * makes, the rest of the new constructor (the body method, {@code (Object self, Object[] a)V})
 * and the call's arguments.
 *
 * {@snippet lang=text :
 * new C(q..) in new code  --linkNew-->  C(prologue of C(Q..) in the caller's view, {q..})
 * C(p..) re-routed        --guard--->   this(prologue of C(P..) in the thread's view, {p..})
 *   construction constructor: r = prologue(a); super/this call number r[0] with r[2..]; r[1](this, a)
 * }
 *
 * <p>A call to another constructor the same patch adds ({@code this(..)} to a new constructor)
 * is the construction constructor calling itself with that constructor's prologue.
 *
 * <p>Memory ordering: the rest of the constructor writes the class's {@code final} fields
 * through reflective setters (it runs outside {@code <init>}) and ends with a release fence
 * before each return (the builder's {@code Constructors.body}), so the freeze of JLS 17.5
 * holds for objects built this way: another thread that sees the reference sees the final
 * fields' values.
 *
 * <p>Threading: prologues are built by the preparing thread; they are immutable handles,
 * published with the view.
 */
public final class Constructions {
    /** Descriptor of the construction constructor. */
    public static final String DESCRIPTOR = "(Ljava/lang/invoke/MethodHandle;[Ljava/lang/Object;)V";
    /** Name of the slot (one per constructor, with the constructor's descriptor) whose override re-routes it. */
    public static final String CALL_SLOT = "atlas$initCall";
    static final MethodType TYPE = MethodType.methodType(void.class, MethodHandle.class, Object[].class);
    private static final MethodType REST = MethodType.methodType(void.class, Object.class, Object[].class);
    private static final MethodHandle RESULT;

    static {
        try {
            RESULT = MethodHandles.lookup().findStatic(Constructions.class, "result", MethodType.methodType(Object[].class,
                    int.class, MethodHandle.class, MethodHandle.class, MethodHandle.class, Object[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Constructions() {
    }

    /** What the prologue answers: {call, rest, arguments..}, or {call, rest, nested prologue, arguments} for a new this(..). */
    private static Object[] result(int call, MethodHandle rest, MethodHandle arguments, MethodHandle nested, Object[] a)
            throws Throwable {
        Object[] args = (Object[]) arguments.invokeExact(a);
        if (nested != null) {
            return new Object[] {call, rest, nested, args};
        }
        Object[] r = new Object[args.length + 2];
        r[0] = call;
        r[1] = rest;
        System.arraycopy(args, 0, r, 2, args.length);
        return r;
    }

    /** The prologues of the constructor changes of one class in one loader, built on demand (a this(..) to a new one first). */
    static final class Prologues {
        private final String patchId;
        private final Class<?> c;
        private final List<String> calls;
        private final List<MethodChange> changes;
        private final MethodHandles.Lookup body;
        private final Map<String, MethodHandle> built = new HashMap<>();
        private final java.util.Set<String> visiting = new java.util.HashSet<>();

        /**
         * @param calls the calls of {@code c}'s construction constructor (empty: it has none)
         * @param changes the class's method changes (the constructors with an {@code initCall} among them)
         */
        Prologues(String patchId, Class<?> c, List<String> calls, List<MethodChange> changes, MethodHandles.Lookup body) {
            this.patchId = patchId;
            this.c = c;
            this.calls = calls;
            this.changes = changes;
            this.body = body;
        }

        /** The prologue of {@code mc} (a constructor change with an {@code initCall}). */
        MethodHandle of(MethodChange mc) {
            MethodHandle done = built.get(mc.descriptor());
            if (done != null) {
                return done;
            }
            String ctor = c.getName() + mc.descriptor();
            if (calls.isEmpty()) {
                throw new PatchRejectedException("patch " + patchId + (mc.kind() == MethodChange.Kind.ADDED ? " adds" : " re-routes")
                        + " constructor " + ctor + ", but " + c.getName() + " has no construction constructor: the agent "
                        + "adds one when it first loads a class, and this class was instrumented by retransformation "
                        + "(loaded before a late attach); remedy: start the JVM with -javaagent");
            }
            if (!visiting.add(mc.descriptor())) {
                throw new PatchRejectedException("patch " + patchId + ": constructor " + ctor + " calls itself through "
                        + "this(..) calls (the manifest does not match its code)");
            }
            MethodHandle nested = null;
            int call = calls.indexOf(mc.initCall());
            if (call < 0 && mc.initCall().startsWith("this(")) {
                MethodChange target = added(mc.initCall().substring(4));
                if (target != null) {
                    nested = of(target);
                    call = calls.indexOf("this" + DESCRIPTOR);
                }
            }
            if (call < 0) {
                throw new PatchRejectedException("patch " + patchId + ": constructor " + ctor + " calls "
                        + mc.initCall() + ", which the construction constructor of " + c.getName()
                        + " (fixed when the class loaded) cannot make; it can make " + calls);
            }
            MethodHandle p = MethodHandles.insertArguments(RESULT, 0, call, rest(mc), arguments(mc), nested);
            built.put(mc.descriptor(), p);
            return p;
        }

        private MethodChange added(String descriptor) {
            for (MethodChange m : changes) {
                if (m.kind() == MethodChange.Kind.ADDED && m.name().equals("<init>") && m.descriptor().equals(descriptor)
                        && m.initCall() != null) {
                    return m;
                }
            }
            return null;
        }

        /** The body method, {@code (Object self, Object[] a)V}. */
        private MethodHandle rest(MethodChange mc) {
            MethodType t = type(mc.descriptor()).insertParameterTypes(0, c);
            return find(mc.bodyMethodName(), t).asSpreader(Object[].class, t.parameterCount() - 1).asType(REST);
        }

        /** The arguments method, {@code (Object[] a)Object[]}. */
        private MethodHandle arguments(MethodChange mc) {
            MethodType t = type(ConstructorCall.argumentsDescriptor(mc.descriptor()));
            MethodHandle h = MethodHandles.insertArguments(find(MethodChange.initArgsNameFor(mc.bodyMethodName()), t), 0, (Object) null);
            return h.asSpreader(Object[].class, t.parameterCount() - 1);
        }

        private MethodType type(String descriptor) {
            try {
                return MethodType.fromMethodDescriptorString(descriptor, c.getClassLoader());
            } catch (TypeNotPresentException ex) {
                throw new PatchRejectedException("patch " + patchId + " changes a constructor of " + c.getName()
                        + " whose descriptor " + descriptor + " names a class its loader cannot load: " + ex.typeName(), ex);
            }
        }

        private MethodHandle find(String name, MethodType t) {
            try {
                return body.findStatic(body.lookupClass(), name, t);
            } catch (ReflectiveOperationException ex) {
                throw new PatchRejectedException("patch " + patchId + ": no new code " + name + t + " for a constructor of "
                        + c.getName(), ex);
            }
        }
    }
}
