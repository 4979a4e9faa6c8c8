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
 *   aload 0; ldc key; invokestatic java/lang/AtlasForeignGuard.find(Object, int)MethodHandle   // null: run this body
 *   dup; ifnull ORIGINAL
 *   <load this and the arguments>; invokevirtual MethodHandle.invokeExact(D, P..)R; xreturn
 * ORIGINAL:
 *   pop; <original body>
 * }
 * {@code java.lang.AtlasForeignGuard} is a small class generated here and defined in
 * {@code java.lang} (through the {@link NewPackageDefiner}'s lookup, which opens {@code java.lang}
 * to a module of its own only), so that the JDK's code and every library can call it. Its
 * package-private static volatile {@code hook} is set here to {@link #find}: null for a receiver
 * that is no instance of a class with a new override of the method (so the views' own calls of
 * {@code equals}, a map key's, never come back to the guard), else what the entry-guard call
 * site of each {@link MethodSlot} registered under the key yields: null until a view overrides
 * the method, then the view's dispatcher ({@code OverrideDispatch}).
 *
 * <p>Cost: once a guard is installed, every call of a guarded method, on any receiver and after
 * a rollback too, pays the bridge's volatile read of {@code hook}, the call of that handle (not
 * inlined: the field is not a constant), an array read and one {@code isInstance} test per class
 * with a new override of it: about 5 CPU ns on {@code Object.equals}, several times the unguarded
 * call ({@code ForeignGuardBenchmark}, docs/benchmarks.md). Only receivers of those classes go on
 * to the slot's guard (a thread-local read and a table probe) and, in a view with the override,
 * its dispatcher. Methods never overridden by a patch are never retransformed and pay nothing; a
 * guard stays for the life of the class.
 * {@code java.lang.Object}'s native methods ({@code hashCode}, {@code getClass}, ...) have no
 * body and are refused, as are abstract methods and classes the JVM cannot modify.
 *
 * <p>Implementation notes: the key table and the transformer are process-wide, as the bridge
 * they serve is (one {@code java.lang} class per JVM): the agent creates one instance; a second
 * one (a test's) shares them. A retransformation is all or nothing (the JVM's): if the class
 * cannot be retransformed, or the transformer could not weave the guard, the key is withdrawn, the
 * class is as it was, and the patch is refused naming why.
 *
 * <p>Threading: {@link #guard} is an operator call, serialised on a process-wide lock;
 * {@link #find} runs on any thread, lock-free: the table is copy-on-write behind a volatile
 * read, and each entry's invokers likewise.
 */
public final class RetransformingMethodGuards implements ForeignMethodGuards {
    static final String BRIDGE = "java/lang/AtlasForeignGuard";
    private static final ClassDesc BRIDGE_DESC = ClassDesc.ofInternalName(BRIDGE);
    private static final ClassDesc CD_MH = ConstantDescs.CD_MethodHandle;
    private static final MethodTypeDesc FIND = MethodTypeDesc.of(CD_MH, ConstantDescs.CD_Object, ConstantDescs.CD_int);
    private static final ClassDesc CD_LOOKUP = ClassDesc.of("java.lang.invoke.MethodHandles$Lookup");

    private static final Object LOCK = new Object();
    private static volatile Guarded[] table = new Guarded[0];   // by key; appended under LOCK
    private static Class<?> bridge;                              // guarded by LOCK
    private static MethodHandles.Lookup baseLookup;             // guarded by LOCK; full privilege in java.base
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

        Guarded(int key, Class<?> owner, String name, String descriptor) {
            this.key = key;
            this.owner = new WeakReference<>(owner);
            this.name = name;
            this.descriptor = descriptor;
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
                table = t;
                retransform(c, g, slot);
            }
            if (g.overriders.stream().noneMatch(r -> r.refersTo(overrider))) {
                List<WeakReference<Class<?>>> o = new ArrayList<>(g.overriders);
                o.add(new WeakReference<>(overrider));
                g.overriders = List.copyOf(o);
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
            MethodHandle find = MethodHandles.lookup().findStatic(RetransformingMethodGuards.class, "find",
                    MethodType.methodType(MethodHandle.class, Object.class, int.class));
            MethodHandle setHook = l.findStaticSetter(b, "hook", MethodHandle.class);
            Method bridgeFind = b.getMethod("find", Object.class, int.class);
            Object primed = bridgeFind.invoke(null, null, -1);   // no hook yet: null
            setHook.invokeExact(find);
            // links the bridge's call of the hook now, not inside the first guarded call
            primed = bridgeFind.invoke(null, null, -1);
            if (primed != null) {
                throw new IllegalStateException("the bridge's find(-1) returned " + primed);
            }
            Weaver w = new Weaver();
            instrumentation.addTransformer(w, true);
            baseLookup = full;
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
     * The hook: null unless {@code receiver} is an instance of a class with an override of
     * method {@code key} (so that the views' own calls of the method, a map key's
     * {@code equals}, never come back here); then the first non-null body that a slot
     * registered under the key yields in the calling thread's view.
     */
    static MethodHandle find(Object receiver, int key) throws Throwable {
        Guarded[] t = table;
        if (key < 0 || key >= t.length || !overridden(t[key], receiver)) {
            return null;
        }
        for (MethodHandle i : t[key].invokers) {
            MethodHandle h = (MethodHandle) i.invokeExact();
            if (h != null) {
                return h;
            }
        }
        return null;
    }

    private static boolean overridden(Guarded g, Object receiver) {
        List<WeakReference<Class<?>>> o = g.overriders;
        for (int i = 0; i < o.size(); i++) {
            Class<?> c = o.get(i).get();
            if (c != null && c.isInstance(receiver)) {
                return true;
            }
        }
        return false;
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
        return weave(cf, model, entries.stream().map(g -> new Site(g.key, g.name, g.descriptor)).toList());
    }

    /** One method to guard under a key. */
    record Site(int key, String name, String descriptor) {}

    static byte[] weave(ClassFile cf, ClassModel model, List<Site> sites) {
        ClassDesc self = model.thisClass().asSymbol();
        List<Site> found = new ArrayList<>();
        ClassTransform t = (clb, ce) -> {
            Site s = ce instanceof MethodModel m ? site(sites, m) : null;
            if (s != null && ((MethodModel) ce).code().isPresent()) {
                found.add(s);
                clb.transformMethod((MethodModel) ce, java.lang.classfile.MethodTransform.transformingCode(guard(self, s)));
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

    private static CodeTransform guard(ClassDesc self, Site s) {
        MethodTypeDesc type = MethodTypeDesc.ofDescriptor(s.descriptor());
        return new CodeTransform() {
            @Override
            public void atStart(CodeBuilder b) {
                Label original = b.newLabel();
                b.aload(0);
                b.loadConstant(s.key());
                b.invokestatic(BRIDGE_DESC, "find", FIND);
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
     * {@code public final class AtlasForeignGuard { static volatile MethodHandle hook;
     * public static MethodHandle find(Object receiver, int key); static Lookup lookup() }}:
     * {@code find} returns null while {@code hook} is, else {@code hook.invokeExact(receiver, key)}.
     */
    static byte[] bridgeBytes() {
        return ClassFile.of().build(BRIDGE_DESC, cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC);
            cb.withField("hook", CD_MH, ClassFile.ACC_STATIC | ClassFile.ACC_VOLATILE);
            cb.withMethodBody("find", FIND, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> {
                Label none = b.newLabel();
                b.getstatic(BRIDGE_DESC, "hook", CD_MH).dup().ifnull(none);
                b.aload(0).iload(1).invokevirtual(CD_MH, "invokeExact", FIND).areturn();
                b.labelBinding(none);
                b.areturn();
            });
            cb.withMethodBody("lookup", MethodTypeDesc.of(CD_LOOKUP), ClassFile.ACC_STATIC, b -> b
                    .invokestatic(ClassDesc.of("java.lang.invoke.MethodHandles"), "lookup", MethodTypeDesc.of(CD_LOOKUP))
                    .areturn());
        });
    }
}
