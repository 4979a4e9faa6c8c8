package dev.atlas.patch.instrument;

import dev.atlas.patch.runtime.ForeignMethodGuards;
import dev.atlas.patch.runtime.MethodSlot;
import dev.atlas.patch.runtime.PatchRejectedException;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VolatileCallSite;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Entry guards for methods of classes the agent does not instrument (the JDK's, or a library's
 * outside the include patterns), so that a patch may add an override of such a method to a
 * loaded class ({@link ForeignMethodGuards}). The method's class is retransformed once, the
 * first time a patch overrides the method, and the method starts with:
 * {@snippet lang=text :
 *   aload 0; invokestatic java/lang/AtlasForeignGuard$<key>.find(Object)MethodHandle   // null: run this body
 *   dup; ifnull ORIGINAL
 *   <load this and the arguments>; invokevirtual MethodHandle.invokeExact(D, P..)R; xreturn
 * ORIGINAL:
 *   pop; <original body>
 * }
 * {@code java.lang.AtlasForeignGuard$<key>}, one small class per guarded method generated here
 * and defined in {@code java.lang} (through the {@link NewPackageDefiner}'s lookup, which opens
 * {@code java.lang} to a module of its own only, so that the JDK's code and every library can
 * call it), holds in a {@code static final} field the dynamic invoker of the method's
 * {@link VolatileCallSite}, and its {@code find} returns what that site's target yields:
 * <ul>
 *   <li>while no view of any code views needs the guard ({@link #dispatch} off for every slot
 *       of the method: before the first apply that overrides it, and once the views that had the
 *       override have retired after a rollback), a constant null. The field is a constant and
 *       the call site's target is one too (HotSpot compiles code against a call site's current
 *       target, with a dependency), so the JIT folds the check away: the guarded method costs
 *       what it cost before it was guarded;</li>
 *   <li>while some slot dispatches, one {@code isInstance} test per class with a new override
 *       of the method, on a constant class (so that the views' own calls of {@code equals}, a map
 *       key's, never come back to the guard), and for an instance of one of those classes the
 *       first non-null body that a slot registered under the key yields in the calling thread's
 *       view: null until a view overrides the method, then the view's dispatcher
 *       ({@code OverrideDispatch}).</li>
 * </ul>
 * {@code java.lang.Object}'s native methods ({@code hashCode}, {@code getClass}, ...) have no
 * body and are refused, as are abstract methods and classes the JVM cannot modify.
 *
 * <p>Cost (docs/benchmarks.md, {@code ForeignGuardBenchmark}): a guarded method that no view
 * needs costs no more than the unguarded one; while a view needs it, each call on any receiver
 * pays the class tests, and receivers of an overriding class go on to the slot's guard (a
 * thread-local read and a table probe) and, in a view with the override, its dispatcher. The
 * first guard of a class costs a retransformation, which HotSpot runs as a safepoint operation
 * ({@code VM_RedefineClasses}); switching a guard on or off afterwards retransforms nothing.
 *
 * <p>Memory ordering: {@link #dispatch} sets the call site's target ({@link VolatileCallSite}:
 * a volatile write, then, before {@code setTarget} returns, HotSpot deoptimises every compiled
 * method that had inlined the old target: it marks them and runs a handshake with every Java
 * thread, not a safepoint ({@code MHN_setCallSiteTargetVolatile} in
 * <a href="https://github.com/openjdk/jdk/blob/master/src/hotspot/share/prims/methodHandles.cpp">methodHandles.cpp</a>,
 * {@code DeoptimizationScope::deoptimize_marked} and {@code Deoptimization::deoptimize_all_marked}
 * in <a href="https://github.com/openjdk/jdk/blob/master/src/hotspot/share/runtime/deoptimization.cpp">deoptimization.cpp</a>,
 * which calls {@code Handshake::execute} unless already at a safepoint). So once
 * {@code dispatch(slot, true)} returns, no thread runs code that folded the inert target, and
 * every other read of the target is a volatile read that sees the new one; the code views switch
 * a guard on before any thread can enter a view that needs it. A thread that still sees the
 * guard on after it was switched off asks the views, which answer "own body": the switch-off
 * changes the cost, never the outcome.
 *
 * <p>Implementation notes: the key table and the transformer are process-wide, as the
 * {@code java.lang} classes they serve are (one per JVM): the agent creates one instance; a
 * second one (a test's) shares them, and a method's guard dispatches while any slot of any of
 * them asks it to. A retransformation is all or nothing (the JVM's): if the class cannot be
 * retransformed, or the transformer could not weave the guard, the key is withdrawn, the class
 * is as it was, and the patch is refused naming why.
 *
 * <p>Threading: {@link #guard} and {@link #dispatch} are serialised on a process-wide lock;
 * the guarded methods run on any thread, lock-free: each key's call site target is immutable,
 * and the invokers it reaches are copy-on-write behind a volatile read.
 */
public final class RetransformingMethodGuards implements ForeignMethodGuards {
    static final String BRIDGE = "java/lang/AtlasForeignGuard";
    private static final ClassDesc BRIDGE_DESC = ClassDesc.ofInternalName(BRIDGE);
    private static final ClassDesc CD_MH = ConstantDescs.CD_MethodHandle;
    private static final ClassDesc CD_LOOKUP = ClassDesc.of("java.lang.invoke.MethodHandles$Lookup");
    private static final MethodTypeDesc KEY_FIND = MethodTypeDesc.of(CD_MH, ConstantDescs.CD_Object);
    /** The inert target: {@code (Object)MethodHandle} returning null, the method's own body for every receiver. */
    private static final MethodHandle NONE = MethodHandles.dropArguments(
            MethodHandles.constant(MethodHandle.class, null), 0, Object.class);
    private static final MethodHandle IS_INSTANCE;
    private static final MethodHandle ASK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            IS_INSTANCE = l.findVirtual(Class.class, "isInstance", MethodType.methodType(boolean.class, Object.class));
            ASK = l.findStatic(RetransformingMethodGuards.class, "ask",
                    MethodType.methodType(MethodHandle.class, Object.class, Guarded.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Object LOCK = new Object();
    private static volatile Guarded[] table = new Guarded[0];   // by key; appended under LOCK
    private static Class<?> bridge;                              // guarded by LOCK
    private static MethodHandles.Lookup baseLookup;             // guarded by LOCK; full privilege in java.base
    private static MethodHandles.Lookup javaLangLookup;         // guarded by LOCK; defines the key classes
    private static Weaver weaver;                                // guarded by LOCK

    /** One guarded method: its class, and the guard invokers of the slots registered for it. */
    private static final class Guarded {
        final int key;
        final WeakReference<Class<?>> owner;
        final String name;
        final String descriptor;
        volatile MethodHandle[] invokers = new MethodHandle[0];   // copy-on-write under LOCK, one per slot
        final List<MethodSlot> slots = new ArrayList<>();           // guarded by LOCK: whose invokers those are
        volatile List<WeakReference<Class<?>>> overriders = List.of();   // copy-on-write under LOCK
        volatile boolean withdrawn;   // the retransformation failed: never woven again
        volatile boolean woven;       // set by the transformer
        volatile Throwable weaveError;
        /** What the key class's {@code find} calls: {@link #NONE}, or the class tests and {@link #ask}. */
        final VolatileCallSite site = new VolatileCallSite(NONE);
        final java.util.Set<MethodSlot> dispatching = new java.util.HashSet<>();   // guarded by LOCK

        Guarded(int key, Class<?> owner, String name, String descriptor) {
            this.key = key;
            this.owner = new WeakReference<>(owner);
            this.name = name;
            this.descriptor = descriptor;
        }

        /** Under LOCK: the target the slots ask for (inert while none dispatches). */
        MethodHandle target() {
            if (dispatching.isEmpty()) {
                return NONE;
            }
            MethodHandle t = NONE;
            MethodHandle ask = MethodHandles.insertArguments(ASK, 1, this);
            for (WeakReference<Class<?>> r : overriders) {
                Class<?> c = r.get();
                if (c != null) {
                    t = MethodHandles.guardWithTest(IS_INSTANCE.bindTo(c), ask, t);
                }
            }
            return t;
        }

        /** Under LOCK: links the site to {@link #target()} if that changed what it does. */
        void relink() {
            if (!dispatching.isEmpty() || site.getTarget() != NONE) {
                site.setTarget(target());
            }
        }
    }

    private final Instrumentation instrumentation;
    private final NewPackageDefiner javaLang;

    /**
     * @param javaLang the agent's definer, whose {@code java.lang} lookup defines the bridge
     */
    public RetransformingMethodGuards(Instrumentation instrumentation, NewPackageDefiner javaLang) {
        this.instrumentation = Objects.requireNonNull(instrumentation, "instrumentation");
        this.javaLang = Objects.requireNonNull(javaLang, "javaLang");
    }

    @Override
    public MethodHandle guard(MethodSlot slot, Class<?> overrider) {
        Class<?> c = slot.ownerClass();
        synchronized (LOCK) {
            Method m = declared(c, slot.name(), slot.descriptor());
            int mod = m.getModifiers();
            if (Modifier.isNative(mod) || Modifier.isAbstract(mod) || Modifier.isStatic(mod)) {
                throw new PatchRejectedException(describe(slot) + " is " + (Modifier.isNative(mod) ? "native"
                        : Modifier.isAbstract(mod) ? "abstract" : "static") + ": it has no body to give an entry guard");
            }
            MethodHandle ownBody = ownBody(c, slot);
            Guarded g = find(c, slot.name(), slot.descriptor());
            if (g == null) {
                if (!instrumentation.isModifiableClass(c)) {
                    throw new PatchRejectedException("class " + c.getName() + " cannot be modified by the JVM, so "
                            + describe(slot) + " cannot get an entry guard");
                }
                g = new Guarded(table.length, c, slot.name(), slot.descriptor());
                Guarded[] t = Arrays.copyOf(table, table.length + 1);
                t[g.key] = g;
                table = t;   // the key is taken even if what follows fails: its class name may be defined
                try {
                    defineKeyClass(g);
                } catch (PatchRejectedException e) {
                    g.withdrawn = true;
                    throw e;
                }
                retransform(c, g, slot);
            }
            if (g.overriders.stream().noneMatch(r -> r.refersTo(overrider))) {
                List<WeakReference<Class<?>>> o = new ArrayList<>(g.overriders);
                o.add(new WeakReference<>(overrider));
                g.overriders = List.copyOf(o);
                if (!g.dispatching.isEmpty()) {
                    g.relink();   // the new class is tested from now on
                }
            }
            if (!g.slots.contains(slot)) {   // one invoker per slot: a second would ask the views again after a
                g.slots.add(slot);            // super call's own-body request was taken by the first
                MethodHandle[] i = Arrays.copyOf(g.invokers, g.invokers.length + 1);
                i[i.length - 1] = slot.guardInvoker();
                g.invokers = i;
            }
            return ownBody;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Switching on relinks the method's call site to the class tests (HotSpot deoptimises,
     * through a handshake, the compiled code that had inlined the inert target); switching
     * the last slot off links it back to the inert target.
     */
    @Override
    public void dispatch(MethodSlot slot, boolean on) {
        synchronized (LOCK) {
            Guarded g = null;
            for (Guarded x : table) {
                if (x.slots.contains(slot)) {
                    g = x;
                    break;
                }
            }
            if (g == null) {
                throw new IllegalArgumentException(describe(slot) + " has no entry guard here: guard(slot, overrider) it first");
            }
            if (on ? g.dispatching.add(slot) : g.dispatching.remove(slot)) {
                g.relink();
            }
        }
    }

    /** Whether the guard of {@code owner.name descriptor} asks the views now (tests): false if it has none. */
    public static boolean dispatching(Class<?> owner, String name, String descriptor) {
        synchronized (LOCK) {
            Guarded g = find(owner, name, descriptor);
            return g != null && g.site.getTarget() != NONE;
        }
    }

    /**
     * Under LOCK, before the class is woven: defines {@code java.lang.AtlasForeignGuard$<key>},
     * initialised with {@code g}'s call site, and runs its {@code find} once (inert: null), so
     * that its class initialisation and the linkage of its {@code invokeExact} happen here, on
     * the operator thread, and not inside the first guarded call.
     */
    private void defineKeyClass(Guarded g) {
        installBridgeAndWeaver();
        String name = keyClassName(g.key).replace('/', '.');
        try {
            Class.forName(name, false, null);
            throw new PatchRejectedException("class " + name + " is already defined (by another copy of the agent's "
                    + "classes?), so " + g.name + g.descriptor + " of " + g.owner.get() + " cannot get an entry guard");
        } catch (ClassNotFoundException expected) {
            // not defined yet
        }
        try {
            MethodHandle setPending = javaLangLookup.findStaticSetter(bridge, "pending", MethodHandle.class);
            setPending.invokeExact(g.site.dynamicInvoker());
            Class<?> k;
            try {
                k = javaLangLookup.defineClass(keyClassBytes(g.key));
                javaLangLookup.ensureInitialized(k);
            } finally {
                setPending.invokeExact((MethodHandle) null);
            }
            MethodHandle find = javaLangLookup.findStatic(k, "find", MethodType.methodType(MethodHandle.class, Object.class));
            MethodHandle primed = (MethodHandle) find.invokeExact((Object) null);
            if (primed != null) {
                throw new IllegalStateException(name + ".find(null) returned " + primed);
            }
        } catch (PatchRejectedException e) {
            throw e;
        } catch (Throwable t) {
            throw new PatchRejectedException("cannot define the class " + name + " that the entry guard of "
                    + g.name + g.descriptor + " calls (nothing was changed): " + t, t);
        }
    }

    /** Retransforms {@code c} with {@code g}'s guard (and those it had); on failure withdraws {@code g}. */
    private void retransform(Class<?> c, Guarded g, MethodSlot slot) {
        installBridgeAndWeaver();
        Throwable failure = null;
        try {
            instrumentation.retransformClasses(c);
        } catch (UnmodifiableClassException | RuntimeException | LinkageError | InternalError e) {
            failure = e;
        }
        if (failure == null && g.woven) {
            return;
        }
        g.withdrawn = true;
        if (failure == null) {
            failure = g.weaveError;
            try {
                instrumentation.retransformClasses(c);   // woven without g: as it was
            } catch (UnmodifiableClassException | RuntimeException | LinkageError | InternalError e) {
                failure.addSuppressed(e);
            }
        }
        throw new PatchRejectedException("class " + c.getName() + " could not be retransformed to give " + describe(slot)
                + " an entry guard (nothing was changed): " + failure, failure);
    }

    private void installBridgeAndWeaver() {
        if (bridge != null) {
            return;
        }
        try {
            MethodHandles.Lookup l = javaLang.javaLangLookup();
            Class<?> b;
            try {
                b = Class.forName(BRIDGE.replace('/', '.'), false, null);
            } catch (ClassNotFoundException notYet) {
                b = l.defineClass(bridgeBytes());
            }
            MethodHandles.Lookup full = (MethodHandles.Lookup) l.findStatic(b, "lookup",
                    MethodType.methodType(MethodHandles.Lookup.class)).invokeExact();
            Weaver w = new Weaver();
            instrumentation.addTransformer(w, true);
            baseLookup = full;
            javaLangLookup = l;
            weaver = w;
            bridge = b;
        } catch (PatchRejectedException e) {
            throw e;
        } catch (Throwable t) {
            throw new PatchRejectedException("cannot define the bridge class " + BRIDGE.replace('/', '.')
                    + " that guards of JDK methods call: " + t, t);
        }
    }

    /** The method's own body as invokespecial: a lookup in its class, with the private access findSpecial needs. */
    private MethodHandle ownBody(Class<?> c, MethodSlot slot) {
        installBridgeAndWeaver();
        MethodType t = MethodType.fromMethodDescriptorString(slot.descriptor(), c.getClassLoader());
        try {
            MethodHandles.Lookup l = c.getModule() == Object.class.getModule() ? MethodHandles.privateLookupIn(c, baseLookup)
                    : MethodHandles.privateLookupIn(c, MethodHandles.lookup());
            return l.findSpecial(c, slot.name(), t, c).asType(t.insertParameterTypes(0, c));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new PatchRejectedException("the body of " + describe(slot) + " cannot be reached to run it for "
                    + "receivers without the new override (its module " + c.getModule()
                    + " does not open its package to the agent): " + e, e);
        }
    }

    /**
     * What a guarded call on an instance of a class with a new override of {@code g}'s method
     * runs: the first non-null body that a slot registered under it yields in the calling
     * thread's view, or null (the method's own body).
     */
    private static MethodHandle ask(Object receiver, Guarded g) throws Throwable {
        for (MethodHandle i : g.invokers) {
            MethodHandle h = (MethodHandle) i.invokeExact();
            if (h != null) {
                return h;
            }
        }
        return null;
    }

    private static Guarded find(Class<?> c, String name, String descriptor) {
        for (Guarded g : table) {
            if (!g.withdrawn && g.owner.refersTo(c) && g.name.equals(name) && g.descriptor.equals(descriptor)) {
                return g;
            }
        }
        return null;
    }

    private static Method declared(Class<?> c, String name, String descriptor) {
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && MethodType.methodType(m.getReturnType(), m.getParameterTypes())
                    .toMethodDescriptorString().equals(descriptor)) {
                return m;
            }
        }
        throw new PatchRejectedException(c.getName() + " declares no method " + name + descriptor);
    }

    private static String describe(MethodSlot slot) {
        return slot.className().replace('/', '.') + "." + slot.name() + slot.descriptor();
    }

    /** Weaves the guards of the retransformed class's entries; stateless apart from the table. */
    private static final class Weaver implements ClassFileTransformer {
        @Override
        public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                                ProtectionDomain protectionDomain, byte[] classfileBuffer) {
            if (classBeingRedefined == null) {
                return null;
            }
            List<Guarded> mine = new ArrayList<>();
            for (Guarded g : table) {
                if (!g.withdrawn && g.owner.refersTo(classBeingRedefined)) {
                    mine.add(g);
                }
            }
            if (mine.isEmpty()) {
                return null;
            }
            try {
                byte[] out = weave(classfileBuffer, loader, mine);
                mine.forEach(g -> g.woven = true);
                return out;
            } catch (RuntimeException | LinkageError e) {
                mine.forEach(g -> g.weaveError = e);
                return null;
            }
        }
    }

    /** {@code entries}' methods in the class guarded (each must be there, with code). */
    private static byte[] weave(byte[] classBytes, ClassLoader loader, List<Guarded> entries) {
        ClassModel model = ClassFile.of().parse(classBytes);
        ClassLoader l = loader != null ? loader : ClassLoader.getSystemClassLoader();
        ClassHierarchyResolver resolver = ClassHierarchyResolver.ofClassLoading(ClassLoader.getPlatformClassLoader())
                .orElse(ClassHierarchyResolver.ofResourceParsing(l).cached());
        ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(resolver));
        return weave(cf, model, entries.stream().map(g -> new Site(g.key, g.name, g.descriptor)).toList(), BRIDGE);
    }

    /** One method to guard under a key. */
    record Site(int key, String name, String descriptor) {}

    /** {@code sites} of the class guarded, calling the key classes of bridge {@code bridge} (an internal name). */
    static byte[] weave(ClassFile cf, ClassModel model, List<Site> sites, String bridge) {
        ClassDesc self = model.thisClass().asSymbol();
        List<Site> found = new ArrayList<>();
        ClassTransform t = (clb, ce) -> {
            Site s = ce instanceof MethodModel m ? site(sites, m) : null;
            if (s != null && ((MethodModel) ce).code().isPresent()) {
                found.add(s);
                clb.transformMethod((MethodModel) ce, java.lang.classfile.MethodTransform.transformingCode(guard(self, s, bridge)));
            } else {
                clb.with(ce);
            }
        };
        byte[] out = cf.transformClass(model, t);
        if (found.size() != sites.size()) {
            List<Site> missing = new ArrayList<>(sites);
            missing.removeAll(found);
            throw new IllegalArgumentException(model.thisClass().asInternalName() + " has no code for " + missing);
        }
        return LegacyClassVersion.needsRaise(model) ? LegacyClassVersion.raise(cf, out) : out;
    }

    private static Site site(List<Site> sites, MethodModel m) {
        for (Site s : sites) {
            if (m.methodName().equalsString(s.name()) && m.methodType().equalsString(s.descriptor())
                    && (m.flags().flagsMask() & ClassFile.ACC_STATIC) == 0) {
                return s;
            }
        }
        return null;
    }

    private static CodeTransform guard(ClassDesc self, Site s, String bridge) {
        MethodTypeDesc type = MethodTypeDesc.ofDescriptor(s.descriptor());
        return new CodeTransform() {
            @Override
            public void atStart(CodeBuilder b) {
                Label original = b.newLabel();
                b.aload(0);
                b.invokestatic(ClassDesc.ofInternalName(keyClassName(bridge, s.key())), "find", KEY_FIND);
                b.dup();
                b.ifnull(original);
                b.aload(0);
                for (int i = 0; i < type.parameterCount(); i++) {
                    b.loadLocal(TypeKind.from(type.parameterType(i)), b.parameterSlot(i));
                }
                b.invokevirtual(CD_MH, "invokeExact", type.insertParameterTypes(0, self));
                b.return_(TypeKind.from(type.returnType()));
                b.labelBinding(original);
                b.pop();
            }

            @Override
            public void accept(CodeBuilder b, CodeElement e) {
                b.with(e);
            }
        };
    }

    /**
     * {@code public final class AtlasForeignGuard { static MethodHandle pending; static Lookup lookup() }}:
     * {@code pending} hands a key class's call site to its class initialiser (under LOCK).
     */
    static byte[] bridgeBytes() {
        return bridgeBytes(BRIDGE);
    }

    /** {@link #bridgeBytes()} named {@code bridge} (an internal name). */
    static byte[] bridgeBytes(String bridge) {
        return ClassFile.of().build(ClassDesc.ofInternalName(bridge), cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC);
            cb.withField("pending", CD_MH, ClassFile.ACC_STATIC);
            cb.withMethodBody("lookup", MethodTypeDesc.of(CD_LOOKUP), ClassFile.ACC_STATIC, b -> b
                    .invokestatic(ClassDesc.of("java.lang.invoke.MethodHandles"), "lookup", MethodTypeDesc.of(CD_LOOKUP))
                    .areturn());
        });
    }

    /** The internal name of the class whose {@code find} the guard of {@code key} calls. */
    static String keyClassName(int key) {
        return keyClassName(BRIDGE, key);
    }

    static String keyClassName(String bridge, int key) {
        return bridge + "$" + key;
    }

    /**
     * {@code public final class AtlasForeignGuard$<key> { private static final MethodHandle SITE = AtlasForeignGuard.pending;
     * public static MethodHandle find(Object receiver) { return (MethodHandle) SITE.invokeExact(receiver); } }}
     */
    static byte[] keyClassBytes(int key) {
        return keyClassBytes(BRIDGE, key);
    }

    /** {@link #keyClassBytes(int)} of bridge {@code bridge} (an internal name). */
    static byte[] keyClassBytes(String bridge, int key) {
        ClassDesc self = ClassDesc.ofInternalName(keyClassName(bridge, key));
        return ClassFile.of().build(self, cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC);
            cb.withField("SITE", CD_MH, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL);
            cb.withMethodBody(ConstantDescs.CLASS_INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_STATIC, b -> b
                    .getstatic(ClassDesc.ofInternalName(bridge), "pending", CD_MH)
                    .putstatic(self, "SITE", CD_MH)
                    .return_());
            cb.withMethodBody("find", KEY_FIND, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> b
                    .getstatic(self, "SITE", CD_MH)
                    .aload(0)
                    .invokevirtual(CD_MH, "invokeExact", KEY_FIND)
                    .areturn());
        });
    }
}
