package dev.atlas.patch.runtime;

import dev.atlas.patch.classfile.ConstructorCall;
import dev.atlas.patch.format.MethodChange;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Constructors that run through the re-routing guards the agent puts at the entry of every
 * constructor ({@code dev.atlas.patch.instrument.ConstructorRerouteGuard}): the constructors a
 * patch adds, and those whose {@code super(..)}/{@code this(..)} call goes to another
 * constructor in the new release. A guard asks its slot's handle in the thread's view to
 * <em>resolve</em> the construction, {@code (Object[] args)Object[]}: null (run the
 * constructor's own code), or the new constructor's code before its call run (the body
 * class's arguments method) and {call number, rest, args, call arguments..}: the guard makes
 * that call, then runs the rest (the body method, {@code (Object self, Object[] args)V}).
 *
 * {@snippet lang=text :
 * C(p..) re-routed in the view:  guard -> resolve -> prologue of C(P..)(p..) -> call, rest
 *                                 (not the entry constructor: PENDING = {C, prologue, p..}; this(entry ..))
 * new C(q..) in the patch's code: linkNew -> PENDING = {C, prologue of C(Q..), q..};
 *                                 C(entry constructor, placeholder arguments)
 *                                 guard -> resolve finds PENDING -> prologue of C(Q..)(q..) -> call, rest
 * this(q2..) to another new one:  the prologue sets PENDING for it, its call is this(entry ..)
 * super(s..) to one a patch added to the superclass S:
 *                                 the prologue sets PENDING = {S, S's prologue in the view, s..}; its call is
 *                                 super(S's entry ..), whose guard takes it; then the rest (which first checks
 *                                 that it was taken)
 * the same in an added class's constructor: PatchLinker.linkSuperAdded sets PENDING; super(S's entry ..);
 *                                 handedOver()
 * }
 *
 * <p>The entry constructor is the class's first constructor, the only one whose guard holds
 * the switch of calls; another re-routed constructor's guard leaves its construction pending
 * and calls the entry constructor with placeholders. The entry constructor's guard consumes the pending
 * construction before anything else runs ({@code new C} initialises C first, so a static
 * initialiser's own constructions never see it), and {@link #construct} clears it in any case.
 * A detached thread that another view's migration moves between the two (a rollback in the
 * middle of a {@code new} expression) runs the entry constructor's old code with the
 * placeholder arguments; the construction is then found not taken ({@link #construct},
 * {@link #handedOver}) and the {@code new} throws {@link IllegalStateException} instead of
 * returning that object. Threads inside a request scope never change views there. Left: if the
 * entry constructor's old code throws on its placeholders, a handed-over construction stays
 * pending until the thread's next construction of that class in a view that re-routes it.
 *
 * <p>Memory ordering: the rest of the constructor writes the class's {@code final} fields
 * through reflective setters (it runs outside {@code <init>}) and ends with a release fence
 * before each return (the builder's {@code Constructors.body}), so the freeze of JLS 17.5
 * holds for objects built this way: another thread that sees the reference sees the final
 * fields' values. PENDING is a thread-local: written and read by one thread.
 *
 * <p>Threading: handles are built by the preparing thread; they are immutable, published
 * with the view.
 */
public final class Constructions {
    /** Name of the slot (one per constructor, with the constructor's descriptor) of its re-routing guard. */
    public static final String CALL_SLOT = "atlas$initCall";
    private static final MethodType REST = MethodType.methodType(void.class, Object.class, Object[].class);
    /** {Class, MethodHandle prologue, Object[] args}: a construction for the entry constructor's guard. */
    private static final ThreadLocal<Object[]> PENDING = new ThreadLocal<>();
    private static final MethodHandle PROLOGUE;
    private static final MethodHandle RESOLVE;
    private static final MethodHandle HAND_OVER;
    private static final MethodHandle CONSTRUCT;
    private static final MethodHandle PEND;
    private static final MethodHandle HANDED_OVER;
    private static final MethodType PROLOGUE_TYPE = MethodType.methodType(Object[].class, Object[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PROLOGUE = l.findStatic(Constructions.class, "prologue", MethodType.methodType(Object[].class, int.class,
                    MethodHandle.class, MethodHandle.class, Class.class, MethodHandle.class, Object[].class, Object[].class));
            RESOLVE = l.findStatic(Constructions.class, "resolve", MethodType.methodType(Object[].class, Class.class,
                    MethodHandle.class, Object[].class));
            HAND_OVER = l.findStatic(Constructions.class, "handOver", MethodType.methodType(Object[].class, Class.class,
                    MethodHandle.class, Object[].class));
            CONSTRUCT = l.findStatic(Constructions.class, "construct", MethodType.methodType(Object.class,
                    MethodHandles.Lookup.class, MethodHandle.class, MethodHandle.class, Object[].class));
            PEND = l.findStatic(Constructions.class, "pend", MethodType.methodType(void.class, Class.class,
                    MethodHandle.class, Object[].class));
            HANDED_OVER = l.findStatic(Constructions.class, "handedOver", MethodType.methodType(void.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Constructions() {
    }

    /**
     * Runs the new code before a constructor's call. {@code nested} null: {call, rest, a, call
     * arguments..}; else (a this(..) to another new constructor) the nested construction goes
     * to PENDING and the call is {@code call} (the entry constructor) with {@code placeholders}.
     */
    private static Object[] prologue(int call, MethodHandle rest, MethodHandle arguments, Class<?> c, MethodHandle nested,
                                     Object[] placeholders, Object[] a) throws Throwable {
        Object[] args = (Object[]) arguments.invokeExact(a);
        Object[] callArgs = args;
        if (nested != null) {
            PENDING.set(new Object[] {c, nested, args});
            callArgs = placeholders;
        }
        Object[] r = new Object[callArgs.length + 3];
        r[0] = call;
        r[1] = rest;
        r[2] = a;
        System.arraycopy(callArgs, 0, r, 3, callArgs.length);
        return r;
    }

    /** The entry constructor's question: the pending construction of {@code c}, else {@code own} (null: not re-routed). */
    private static Object[] resolve(Class<?> c, MethodHandle own, Object[] a) throws Throwable {
        Object[] p = PENDING.get();
        if (p != null && p[0] == c) {
            PENDING.remove();
            return (Object[]) ((MethodHandle) p[1]).invokeExact((Object[]) p[2]);
        }
        return own == null ? null : (Object[]) own.invokeExact(a);
    }

    /** Another constructor's question: its construction ({@code own}) left pending for the entry constructor. */
    private static Object[] handOver(Class<?> c, MethodHandle own, Object[] a) {
        PENDING.set(new Object[] {c, own, a});
        return a;
    }

    /** {@code new C(args)} of a new constructor: C initialised, the construction pending, the entry constructor called. */
    private static Object construct(MethodHandles.Lookup c, MethodHandle entry, MethodHandle prologue, Object[] args)
            throws Throwable {
        c.ensureInitialized(c.lookupClass());
        Object[] mine = {c.lookupClass(), prologue, args};
        PENDING.set(mine);
        Object made;
        boolean consumed;
        try {
            made = entry.invokeExact();
            consumed = PENDING.get() != mine;
        } finally {
            PENDING.remove();
        }
        if (!consumed) {
            throw crossedViews(c.lookupClass());
        }
        return made;
    }

    /**
     * Called by a re-routed constructor's guard after the entry constructor returned: the
     * construction it handed over must have been taken; else the thread changed views in
     * between and the object was built by the entry constructor's own code from placeholders.
     */
    public static void handedOver() {
        Object[] p = PENDING.get();
        if (p != null) {
            PENDING.remove();
            throw crossedViews((Class<?>) p[0]);
        }
    }

    private static IllegalStateException crossedViews(Class<?> c) {
        return new IllegalStateException("a construction of " + c.getName() + " that a patch re-routes was started in "
                + "one view and reached its entry constructor in a view without the patch (the thread was moved between "
                + "views in the middle of the constructor); the object is not returned");
    }

    private static void pend(Class<?> c, MethodHandle prologue, Object[] args) {
        PENDING.set(new Object[] {c, prologue, args});
    }

    /**
     * {@code (Object[] args)V}: leaves a construction of {@code superclass} by the constructor
     * that {@code slot} adds to it pending for its entry constructor's guard, with that
     * constructor's prologue in the calling thread's view. The {@code super(..)} of a
     * constructor a patch added to the superclass: the caller then calls the superclass's entry
     * constructor with placeholders, and {@link #handedOver()} after it.
     */
    static MethodHandle pendingSuper(Class<?> superclass, MethodSlot slot) {
        MethodHandle inView = MethodHandles.foldArguments(MethodHandles.exactInvoker(PROLOGUE_TYPE),
                MethodHandles.insertArguments(Dispatch.ADDED, 0, slot.space, slot));
        return MethodHandles.insertArguments(PEND, 0, superclass, inView);
    }

    /** The calls of the re-routing guards of {@code c} as instrumented in its loader (empty: none). */
    static List<String> constructionCalls(MethodRegistry registry, Class<?> c) {
        List<String> calls = List.of();
        for (MethodRegistry.LoadedClassInfo i : registry.loaded(c.getName().replace('.', '/'))) {
            if (i.loader() == c.getClassLoader()) {
                calls = i.constructionCalls();
            }
        }
        return calls;
    }

    /** Whether {@code c} declares a constructor of that descriptor (a super(..) the running class can make). */
    private static boolean declares(Class<?> c, MethodType type) {
        try {
            c.getDeclaredConstructor(type.parameterArray());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /**
     * The call site of {@code new C(..)} for a constructor a patch added, {@code (Q..)C}, given
     * {@code prologue}, {@code ()MethodHandle}: the constructor's prologue in the calling
     * thread's view.
     */
    static MethodHandle newInstance(Class<?> c, List<String> calls, MethodType type, MethodHandle prologue)
            throws ReflectiveOperationException {
        MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
        MethodType entryType = entryType(c, calls);
        MethodHandle entry = MethodHandles.insertArguments(l.findConstructor(c, entryType), 0, placeholders(entryType))
                .asType(MethodType.methodType(Object.class));
        MethodHandle h = MethodHandles.insertArguments(CONSTRUCT, 0, l, entry).asCollector(1, Object[].class, type.parameterCount());
        return MethodHandles.foldArguments(h, prologue).asType(type);
    }

    /** The descriptor of the class's entry constructor: its first own constructor among the calls (null: none). */
    public static String entryDescriptor(List<String> calls) {
        for (String call : calls) {
            if (call.startsWith("this(")) {
                return call.substring(4);
            }
        }
        return null;
    }

    private static MethodType entryType(Class<?> c, List<String> calls) {
        return MethodType.fromMethodDescriptorString(entryDescriptor(calls), c.getClassLoader());
    }

    private static Object[] placeholders(MethodType t) {
        Object[] out = new Object[t.parameterCount()];
        for (int i = 0; i < out.length; i++) {
            Class<?> p = t.parameterType(i);
            out[i] = p.isPrimitive() ? java.lang.reflect.Array.get(java.lang.reflect.Array.newInstance(p, 1), 0) : null;
        }
        return out;
    }

    /**
     * The handle for the re-routing guard's slot of a constructor of {@code c} with descriptor
     * {@code descriptor}: for the entry constructor, the pending construction, else {@code own}
     * (may be null); for another, {@code own} handed over to the entry constructor.
     */
    static MethodHandle resolver(Class<?> c, List<String> calls, String descriptor, MethodHandle own) {
        boolean entry = descriptor.equals(entryDescriptor(calls));
        return MethodHandles.insertArguments(entry ? RESOLVE : HAND_OVER, 0, c, own);
    }

    /** The prologues of the constructor changes of one class in one loader, built on demand (a this(..) to a new one first). */
    static final class Prologues {
        private final String patchId;
        private final Class<?> c;
        private final List<String> calls;
        private final List<MethodChange> changes;
        private final MethodHandles.Lookup body;
        private final MethodRegistry registry;
        private final Map<String, MethodHandle> built = new HashMap<>();
        private final Set<String> visiting = new HashSet<>();

        /**
         * @param calls the calls of {@code c}'s re-routing guards (empty: it has none)
         * @param changes the class's method changes (the constructors with an {@code initCall} among them)
         * @param registry where the constructors a patch adds to the superclass have their slots
         */
        Prologues(String patchId, Class<?> c, List<String> calls, List<MethodChange> changes, MethodHandles.Lookup body,
                  MethodRegistry registry) {
            this.registry = registry;
            this.patchId = patchId;
            this.c = c;
            this.calls = calls;
            this.changes = changes;
            this.body = body;
        }

        /** The prologue, {@code (Object[])Object[]}, of {@code mc} (a constructor change with an {@code initCall}). */
        MethodHandle of(MethodChange mc) {
            MethodHandle done = built.get(mc.descriptor());
            if (done != null) {
                return done;
            }
            String ctor = c.getName() + mc.descriptor();
            if (calls.isEmpty()) {
                throw new PatchRejectedException("patch " + patchId + (mc.kind() == MethodChange.Kind.ADDED ? " adds" : " re-routes")
                        + " constructor " + ctor + ", but the constructors of " + c.getName() + " have no re-routing guards");
            }
            if (!visiting.add(mc.descriptor())) {
                throw new PatchRejectedException("patch " + patchId + ": constructor " + ctor + " calls itself through "
                        + "this(..) calls (the manifest does not match its code)");
            }
            MethodHandle nested = null;
            Object[] placeholders = null;
            Class<?> pendingFor = c;
            MethodHandle rest = rest(mc);
            int call = calls.indexOf(mc.initCall());
            if (call < 0 && mc.initCall().startsWith("this(")) {
                MethodChange target = added(mc.initCall().substring(4));
                if (target != null) {
                    nested = of(target);
                    call = calls.indexOf("this" + entryDescriptor(calls));
                    placeholders = placeholders(entryType(c, calls));
                }
            }
            Class<?> s = c.getSuperclass();
            if (call < 0 && mc.initCall().startsWith("super(") && s != null && !declares(s, type(mc.initCall().substring(5)))) {
                // super(..) of a constructor a patch adds to the superclass: its construction is left pending for the
                // superclass's entry constructor, which this class's guard calls with placeholders
                List<String> superCalls = constructionCalls(registry, s);
                String superEntry = entryDescriptor(superCalls);
                if (superEntry != null) {
                    MethodSlot slot = registry.registerAdded(s.getClassLoader(), s.getName().replace('.', '/'), "<init>",
                            mc.initCall().substring(5), false);
                    nested = MethodHandles.foldArguments(MethodHandles.exactInvoker(PROLOGUE_TYPE),
                            MethodHandles.insertArguments(Dispatch.ADDED, 0, slot.space, slot));
                    call = calls.indexOf("super" + superEntry);
                    placeholders = placeholders(entryType(s, superCalls));
                    pendingFor = s;
                    // after the call: the construction must have been taken (else the thread changed views in between)
                    rest = MethodHandles.foldArguments(rest, MethodHandles.dropArguments(HANDED_OVER, 0, Object.class, Object[].class));
                }
            }
            if (call < 0) {
                throw new PatchRejectedException("patch " + patchId + ": constructor " + ctor + " calls "
                        + mc.initCall() + ", which the re-routing guards of " + c.getName()
                        + " (fixed when the class was instrumented) cannot make; they can make " + calls);
            }
            MethodHandle p = MethodHandles.insertArguments(PROLOGUE, 0, call, rest, arguments(mc), pendingFor, nested, placeholders);
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
