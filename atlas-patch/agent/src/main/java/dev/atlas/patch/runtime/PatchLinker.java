package dev.atlas.patch.runtime;

import dev.atlas.patch.shadow.ShadowField;
import dev.atlas.patch.shadow.ShadowFields;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

/**
 * Bootstrap methods for the {@code invokedynamic} links inside a patch's new code (see
 * {@code docs/design/patch-contract.md}): calls of added methods, accesses to new (shadow)
 * fields, super calls and protected accesses that a body class, being a nestmate but not a
 * subclass, cannot make directly. Every call site is linked once, to a constant target.
 *
 * <p>Each class of a patch finds its {@link PatchContext} (the code views that prepared it)
 * through {@link Linkage}; this class holds no state.
 *
 * <p>Threading: bootstraps run on whichever thread first executes the call site; the
 * contexts are bound before the patch's view is published.
 */
public final class PatchLinker {
    private static final MethodHandle CLEAR_VOID;
    private static final MethodHandle CLEAR_VALUE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CLEAR_VOID = l.findStatic(PatchLinker.class, "cleared", MethodType.methodType(void.class, Throwable.class));
            CLEAR_VALUE = l.findStatic(PatchLinker.class, "cleared",
                    MethodType.methodType(Object.class, Throwable.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private PatchLinker() {}

    private static void cleared(Throwable t) {
        Dispatch.clearOwnBodyRequest();
    }

    private static Object cleared(Throwable t, Object result) {
        Dispatch.clearOwnBodyRequest();
        return result;
    }

    /** {@code h} (a super call of method {@code id}) asking that method's guard for its own body in the view, not a wrapper. */
    private static MethodHandle ownBody(MethodHandle h, int id) {
        MethodHandle call = MethodHandles.foldArguments(h, MethodHandles.insertArguments(Dispatch.REQUEST_OWN_BODY, 0, id));
        Class<?> r = h.type().returnType();
        return MethodHandles.tryFinally(call, r == void.class ? CLEAR_VOID
                : CLEAR_VALUE.asType(MethodType.methodType(r, Throwable.class, r)));
    }

    /** The patchable method a super call of {@code name descriptor} from below {@code s} reaches, or null. */
    private static MethodSlot superSlot(MethodRegistry registry, Class<?> s, String name, String descriptor) {
        for (Class<?> c = s; c != null; c = c.getSuperclass()) {
            MethodSlot slot = registry.find(c.getClassLoader(), c.getName().replace('.', '/'), name, descriptor);
            if (slot != null) {
                return slot;
            }
            if (declares(c, name, descriptor)) {
                return null;   // the call lands on this class's method, which has no guard
            }
        }
        // none in the class chain: the call may reach an interface's default method (Collection.removeIf)
        java.util.Deque<Class<?>> interfaces = new java.util.ArrayDeque<>();
        for (Class<?> c = s; c != null; c = c.getSuperclass()) {
            interfaces.addAll(List.of(c.getInterfaces()));
        }
        java.util.Set<Class<?>> seen = new java.util.HashSet<>();
        while (!interfaces.isEmpty()) {
            Class<?> i = interfaces.poll();
            if (seen.add(i)) {
                MethodSlot slot = registry.find(i.getClassLoader(), i.getName().replace('.', '/'), name, descriptor);
                if (slot != null) {
                    return slot;
                }
                interfaces.addAll(List.of(i.getInterfaces()));
            }
        }
        if (s.isInterface()) {   // I.super.m(): the default of I or of an interface it extends
            java.util.ArrayDeque<Class<?>> todo = new java.util.ArrayDeque<>(java.util.List.of(s.getInterfaces()));
            while (!todo.isEmpty()) {
                Class<?> i = todo.poll();
                MethodSlot slot = registry.find(i.getClassLoader(), i.getName().replace('.', '/'), name, descriptor);
                if (slot != null && !slot.isStatic()) {
                    return slot;
                }
                todo.addAll(java.util.List.of(i.getInterfaces()));
            }
        }
        return null;
    }

    private static boolean declares(Class<?> c, String name, String descriptor) {
        for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && !java.lang.reflect.Modifier.isAbstract(m.getModifiers())
                    && MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString().equals(descriptor)) {
                return true;
            }
        }
        return false;
    }

    private static PatchContext context(MethodHandles.Lookup caller) {
        PatchContext c = Linkage.context(caller.lookupClass());
        if (c == null) {
            throw new IllegalStateException(caller.lookupClass().getName() + " is not code of a patch applied by Atlas");
        }
        return c;
    }

    private static Class<?> load(MethodHandles.Lookup caller, String internalName) throws ClassNotFoundException {
        return Class.forName(internalName.replace('/', '.'), false, caller.lookupClass().getClassLoader());
    }

    /**
     * A call of a method a patch added to {@code owner}: (O self?, P..)R. The call runs the
     * version of the added method that the calling thread's view holds (a later patch may
     * change it), like a call of a replaced method. An instance method added to an interface
     * selects on the receiver's class ({@link InterfaceDispatch}); {@code isStatic} 2 is a
     * super call of a method a patch added ({@code super.m()} resolving, in the new release's
     * hierarchy, to a method added to a superclass, or {@code I.super.m()} of an added default
     * method): that body itself, with no selection on the receiver, as {@code invokespecial}
     * selects.
     */
    public static CallSite linkAdded(MethodHandles.Lookup caller, String name, MethodType type, String owner,
                                     String methodName, String descriptor, int isStatic) {
        ClassLoader loader = caller.lookupClass().getClassLoader();
        MethodRegistry registry = context(caller).registry;
        MethodSlot slot = registry.find(loader, owner, methodName, descriptor);
        if (slot == null) {
            throw new IllegalStateException("no patch added " + owner.replace('/', '.') + "#" + methodName + descriptor
                    + " in " + loader);
        }
        if (isStatic == 0) {
            Class<?> ownerClass = slot.ownerClass();
            if (InterfaceDispatch.applies(ownerClass, slot)) {
                MethodHandle call = InterfaceDispatch.target(registry, slot, ownerClass, type,
                        ownerClass.getName() + "." + methodName + descriptor);
                return new ConstantCallSite(ProxyTargets.onTarget(type.parameterType(0), call));
            }
        }
        // a super call runs the added method's own body, never the dispatcher to overrides added below it
        MethodHandle lookup = MethodHandles.insertArguments(isStatic == 2 ? Dispatch.ADDED_OWN : Dispatch.ADDED, 0,
                slot.space, slot);
        MethodHandle call = MethodHandles.foldArguments(MethodHandles.exactInvoker(type), lookup);
        if (isStatic != 1) {
            // on a subclass proxy (Spring CGLIB) the added body runs on the proxied object: ProxyTargets
            call = ProxyTargets.onTarget(type.parameterType(0), call);
            // an override declared by a class loaded after the apply runs instead (LaterOverrides);
            // not for I.super.m() (isStatic 2), which names the default body itself
            Class<?> declaring = isStatic == 0 ? declaringClass(loader, owner) : null;
            if (declaring != null) {
                call = LaterOverrides.dispatching(declaring, methodName, call);
            }
        }
        return new ConstantCallSite(call);
    }

    /**
     * {@code new owner(..)} of a constructor a patch added, {@code (Q..)C}: the construction,
     * with the prologue that the calling thread's view holds for it, goes through the class's
     * entry constructor ({@link Constructions}).
     */
    public static CallSite linkNew(MethodHandles.Lookup caller, String name, MethodType type, String owner,
                                   String descriptor) throws ReflectiveOperationException {
        Class<?> c = load(caller, owner);
        MethodRegistry registry = context(caller).registry;
        MethodSlot slot = registry.find(c.getClassLoader(), owner, "<init>", descriptor);
        if (slot == null) {
            throw new IllegalStateException("no patch added constructor " + c.getName() + descriptor + " in "
                    + c.getClassLoader());
        }
        java.util.List<String> calls = java.util.List.of();
        for (MethodRegistry.LoadedClassInfo i : registry.loaded(owner)) {
            if (i.loader() == c.getClassLoader()) {
                calls = i.constructionCalls();
            }
        }
        MethodHandle prologue = MethodHandles.insertArguments(Dispatch.ADDED, 0, slot.space, slot);
        return new ConstantCallSite(Constructions.newInstance(c, calls, type, prologue));
    }

    /**
     * The {@code super(..)} call, in the constructor of a class the patch adds, of a
     * constructor the patch adds to the superclass {@code owner}, {@code (P..)V}: leaves that
     * construction pending for the superclass's entry constructor (descriptor
     * {@code entryDescriptor}, as the builder found it in the old release), which the added
     * class's code then calls with placeholders ({@link Constructions}).
     *
     * @throws IllegalStateException if the loaded superclass's entry constructor is another
     *         (the patch was built against another release of it) or the patch added no such constructor
     */
    public static CallSite linkSuperAdded(MethodHandles.Lookup caller, String name, MethodType type, String owner,
                                          String descriptor, String entryDescriptor) throws ReflectiveOperationException {
        Class<?> s = load(caller, owner);
        MethodRegistry registry = context(caller).registry;
        String entry = Constructions.entryDescriptor(Constructions.constructionCalls(registry, s));
        if (!entryDescriptor.equals(entry)) {
            throw new IllegalStateException("the patch's added subclass of " + s.getName() + " was built for its entry "
                    + "constructor " + entryDescriptor + ", but the loaded class's is " + entry
                    + " (null: its constructors have no re-routing guards)");
        }
        MethodSlot slot = registry.find(s.getClassLoader(), owner, "<init>", descriptor);
        if (slot == null) {
            throw new IllegalStateException("no patch added constructor " + s.getName() + descriptor + " in " + s.getClassLoader());
        }
        return new ConstantCallSite(Constructions.pendingSuper(s, slot).asCollector(Object[].class, type.parameterCount())
                .asType(type));
    }

    private static Class<?> declaringClass(ClassLoader loader, String owner) {
        try {
            return Class.forName(owner.replace('/', '.'), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** A call site of a patch's new code, bootstrapped while the patch was prepared (see {@code CallSitePrelinker}). */
    public static CallSite prelinked(MethodHandles.Lookup caller, String name, MethodType type, int table, int index) {
        CallSite site = CallSitePrelinker.site(caller.lookupClass(), table, index);
        if (site == null) {
            throw new IllegalStateException("call site " + name + type + " of " + caller.lookupClass().getName()
                    + " was not linked when its patch was prepared");
        }
        return site;
    }

    /** A read ("get") or write ("put") of a field the patch added to {@code owner}. */
    public static CallSite linkField(MethodHandles.Lookup caller, String name, MethodType type, String owner,
                                     String fieldName, String descriptor, int isStatic) {
        ClassLoader loader = caller.lookupClass().getClassLoader();
        PatchContext context = context(caller);
        ShadowField f = context.fields.find(loader, owner, fieldName, descriptor);
        if (f == null) {
            throw new IllegalStateException("no shadow field " + owner.replace('/', '.') + "." + fieldName + ":" + descriptor
                    + " was defined by patch " + context.patchId);
        }
        MethodHandle h = switch (name) {
            case "get" -> ShadowFields.getter(f, type);
            case "put" -> ShadowFields.setter(f, type);
            default -> throw new IllegalArgumentException("field link '" + name + "': expected get or put");
        };
        return new ConstantCallSite(h);
    }

    /**
     * A read of instance field {@code name} of enum {@code owner} whose running constants the
     * patch gives the new release's state in the new view ({@link ConstantStateReads}):
     * {@code (E)T}; {@code holder} names the holder of the twins (for the reader's information:
     * the view's entry finds them).
     */
    public static CallSite linkConstantState(MethodHandles.Lookup caller, String name, MethodType type, String owner,
                                             String holder) throws ReflectiveOperationException {
        return ConstantStateReads.link(caller, name, type, owner, context(caller).registry);
    }

    /** {@code super.name(..)} from a replaced body of {@code owner}: (C self, P..)R. */
    public static CallSite linkSuper(MethodHandles.Lookup caller, String name, MethodType type, String owner,
                                     String superOwner) throws ReflectiveOperationException {
        Class<?> c = load(caller, owner);
        Class<?> s = load(caller, superOwner);
        MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
        MethodHandle h = l.findSpecial(s, name, type.dropParameterTypes(0, 1), c).asType(type);
        MethodSlot target = superSlot(context(caller).registry, s, name, type.dropParameterTypes(0, 1).toMethodDescriptorString());
        if (target != null) {
            h = ownBody(h, target.id());   // never an override dispatcher on it (OverrideDispatch)
        }
        return new ConstantCallSite(h);
    }

    /**
     * An access to a member that {@code owner} may use but its body class may not (a protected
     * member of a class in another package). kind: 0 invokevirtual, 1 getfield, 2 putfield,
     * 3 invokestatic, 4 getstatic, 5 putstatic, 6 putfield of a {@code final} instance field of
     * {@code owner} from a changed constructor's body (which runs outside {@code <init>}, so the
     * JVM's own putfield refuses it; the body ends with a release fence, as a constructor would).
     */
    public static CallSite linkVirtual(MethodHandles.Lookup caller, String name, MethodType type, String owner,
                                       String declaringClass, int kind) throws ReflectiveOperationException {
        Class<?> c = load(caller, owner);
        Class<?> d = load(caller, declaringClass);
        MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
        MethodHandle h = switch (kind) {
            case 0 -> l.findVirtual(d, name, type.dropParameterTypes(0, 1));
            case 1 -> l.findGetter(d, name, type.returnType());
            case 2 -> l.findSetter(d, name, type.parameterType(1));
            case 3 -> l.findStatic(d, name, type);
            case 4 -> l.findStaticGetter(d, name, type.returnType());
            case 5 -> l.findStaticSetter(d, name, type.parameterType(0));
            case 6 -> finalSetter(l, d, name, type.parameterType(1));
            default -> throw new IllegalArgumentException("link kind " + kind + ": expected 0..6");
        };
        return new ConstantCallSite(h.asType(type));
    }

    private static MethodHandle finalSetter(MethodHandles.Lookup l, Class<?> d, String name, Class<?> type)
            throws ReflectiveOperationException {
        java.lang.reflect.Field f = d.getDeclaredField(name);
        if (f.getType() != type || java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
            throw new NoSuchFieldException(d.getName() + "." + name + " is not an instance field of type " + type.getName());
        }
        f.setAccessible(true);   // a final instance field of an ordinary class: its setter exists once accessible
        return l.unreflectSetter(f);
    }
}
