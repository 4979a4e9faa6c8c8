package dev.atlas.patch.runtime;

import dev.atlas.core.ViewSpace;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;

/**
 * Calls of methods a patch adds, made by code outside the patch: a class loaded after the
 * apply (compiled against the new release) whose {@code invokevirtual}/{@code invokestatic}
 * names a method that some patch added, or whose {@code new C(..)} names a constructor that some
 * patch added ({@link #linkNew}). The instrumenter rewrites such an instruction, at the
 * class's load, into
 * {@snippet lang=text :
 *   invokedynamic name(O self?, P..)R  [OutsideCalls.link, registry, "owner/Internal", isStatic]
 * }
 * and this bootstrap links it as the JVM would have linked the instruction, with one
 * difference: a method that the loaded class lacks but a patch added to it (or to a
 * superclass) runs the body that the calling thread's view holds, and throws
 * {@link NoSuchMethodError}, as the old release does, in a view without that patch (before the
 * apply's migration reached the thread, after a rollback). A super call ({@code invokespecial}
 * of a method, bootstrap argument 2) of a method a patch added is exact: the added body that
 * {@code invokespecial} would select in the new release's hierarchy ({@link #linkSpecial}).
 *
 * An instance method added to an interface selects on the receiver's class
 * ({@link InterfaceDispatch}), also for a call naming a class or interface below it.
 *
 * <p>A call of a method or constructor whose access a patch widened ({@code private toList()}
 * made public by the new release), which the running access refuses, is linked the same way:
 * the running member, reached with full privilege, in the views that have that patch (an
 * instance method through {@link LaterOverrides}, so that an override a later-loaded subclass
 * declares runs as the new release's dispatch would), and {@link IllegalAccessError}, as the
 * instruction gets on the old release, in the others.
 *
 * <p>What does not reach an added method (the class keeps the members it was loaded with):
 * reflection ({@code getMethod} throws {@link NoSuchMethodException}), method handles and
 * method references ({@code findVirtual}, {@code Owner::added} as a bootstrap argument), a
 * constructor's {@code super(..)}/{@code this(..)} of an added constructor, and classes loaded
 * before the apply (they are not rewritten;
 * compiled against the old release, they cannot name the method).
 *
 * <p>Implementation notes: a method the class has is linked through the caller's lookup
 * ({@code findVirtual}/{@code findStatic}: the same resolution and access checks as the
 * instruction); only when that finds nothing is the registry asked. A failed link yields a
 * call site that throws the JVM's error on every call, as a failed resolution does. A static
 * added method initialises its class when linked.
 *
 * <p>Threading: bootstraps run on whichever thread first executes the call site.
 */
public final class OutsideCalls {
    private static final MethodHandle ADDED_OR_MISSING;
    private static final MethodHandle ADDED_OR_ELSE;
    private static final MethodHandle NON_NULL;
    private static final MethodHandle WIDENED_OR_REFUSED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ADDED_OR_MISSING = l.findStatic(OutsideCalls.class, "addedOrMissing",
                    MethodType.methodType(MethodHandle.class, ViewSpace.class, MethodSlot.class, String.class));
            ADDED_OR_ELSE = l.findStatic(OutsideCalls.class, "addedOrElse", MethodType.methodType(MethodHandle.class,
                    ViewSpace.class, MethodSlot.class, MethodHandle.class, String.class));
            WIDENED_OR_REFUSED = l.findStatic(OutsideCalls.class, "widenedOrRefused",
                    MethodType.methodType(MethodHandle.class, ViewSpace.class, MethodSlot.class, String.class));
            NON_NULL = l.findStatic(Objects.class, "requireNonNull", MethodType.methodType(Object.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private OutsideCalls() {}

    /**
     * Bootstrap of a rewritten call: {@code type} is the instruction's stack effect ({@code (O, P..)R}
     * for an instance method, {@code (P..)R} for a static one).
     */
    public static CallSite link(MethodHandles.Lookup caller, String name, MethodType type, int registry, String owner,
                                int isStatic) {
        if (isStatic == 2) {
            return linkSpecial(caller, name, type, registry, owner);
        }
        boolean st = isStatic != 0;
        MethodType declared = st ? type : type.dropParameterTypes(0, 1);
        String descriptor = declared.toMethodDescriptorString();
        Class<?> ownerClass;
        try {
            ownerClass = Linkage.ownerClass(caller, owner);
        } catch (NoClassDefFoundError e) {
            return failing(type, e);
        }
        try {
            MethodHandle h = st ? caller.findStatic(ownerClass, name, declared) : caller.findVirtual(ownerClass, name, declared);
            return new ConstantCallSite(h.asType(type));
        } catch (NoSuchMethodException e) {
            // not in the loaded class: perhaps a patch added it
        } catch (IllegalAccessException e) {
            // the running access refuses it: perhaps a patch widened it
            return widened(Linkage.registry(registry), ownerClass, name, descriptor, st, type, e);
        }
        MethodRegistry r = Linkage.registry(registry);
        String missing = described(ownerClass, name, declared);
        for (Class<?> c = ownerClass; c != null; c = c.getSuperclass()) {
            MethodSlot s = r.find(c.getClassLoader(), c.getName().replace('.', '/'), name, descriptor);
            if (s != null && s.isStatic == st) {
                if (st) {
                    initialise(c);
                }
                if (InterfaceDispatch.applies(c, s)) {
                    return new ConstantCallSite(ProxyTargets.onTarget(type.parameterType(0),
                            InterfaceDispatch.target(r, s, c, type, missing)));
                }
                MethodHandle call = viewDispatched(r.space(), s, type, c == ownerClass, missing);
                return new ConstantCallSite(st ? call : LaterOverrides.dispatching(c, name, call));
            }
        }
        if (!st) {
            // an instance method a patch added to a superinterface (a new default or abstract method)
            for (Class<?> i : superinterfaces(ownerClass)) {
                MethodSlot s = r.find(i.getClassLoader(), i.getName().replace('.', '/'), name, descriptor);
                if (s != null && !s.isStatic) {
                    return new ConstantCallSite(ProxyTargets.onTarget(type.parameterType(0),
                            InterfaceDispatch.target(r, s, i, type, missing)));
                }
            }
        }
        return failing(type, new NoSuchMethodError(missing));
    }

    /**
     * A rewritten super call ({@code invokespecial} of a method, {@code type} {@code (O, P..)R}):
     * resolved as JVMS 6.5 {@code invokespecial} selects, from the direct superclass of the
     * calling class up (from {@code owner} itself when it is an interface, {@code I.super.m()},
     * or the calling class). The first class there that a patch added the method to runs that
     * added method's body in the calling thread's view, exactly (no selection on the
     * receiver's class); a class that really declares it ends the search, and the call is the
     * JVM's own ({@code findSpecial}). In a view without the patch the call is the JVM's own
     * too, or throws {@link NoSuchMethodError} if the loaded classes have no such method.
     */
    private static CallSite linkSpecial(MethodHandles.Lookup caller, String name, MethodType type, int registry,
                                        String owner) {
        MethodType declared = type.dropParameterTypes(0, 1);
        String descriptor = declared.toMethodDescriptorString();
        Class<?> ownerClass;
        try {
            ownerClass = Linkage.ownerClass(caller, owner);
        } catch (NoClassDefFoundError e) {
            return failing(type, e);
        }
        Class<?> current = caller.lookupClass();
        MethodHandle jvm;
        try {
            jvm = caller.findSpecial(ownerClass, name, declared, current).asType(type);
        } catch (NoSuchMethodException e) {
            jvm = null;
        } catch (IllegalAccessException e) {
            return failing(type, new IllegalAccessError(e.getMessage()));
        }
        MethodRegistry r = Linkage.registry(registry);
        MethodSlot added = null;
        if (ownerClass.isInterface()) {
            MethodSlot s = r.find(ownerClass.getClassLoader(), owner, name, descriptor);
            added = s != null && !s.isStatic ? s : null;
        } else if (ownerClass != current) {
            Class<?> from = ownerClass.isAssignableFrom(current) ? current.getSuperclass() : ownerClass;
            for (Class<?> c = from; c != null; c = c.getSuperclass()) {
                MethodSlot s = r.find(c.getClassLoader(), c.getName().replace('.', '/'), name, descriptor);
                if (s != null && !s.isStatic) {
                    added = s;
                    break;
                }
                if (declaresConcrete(c, name, declared)) {
                    break;   // the JVM's selection ends at a method the loaded class has
                }
            }
        }
        String missing = described(ownerClass, name, declared);
        if (added == null) {
            return jvm != null ? new ConstantCallSite(jvm) : failing(type, new NoSuchMethodError(missing));
        }
        MethodHandle body = MethodHandles.insertArguments(ADDED_OR_ELSE, 0, r.space(), added,
                jvm, missing).asType(MethodType.methodType(MethodHandle.class));
        // the body's receiver is the class the method was added to: adapted per call (invoker, not exactInvoker)
        MethodHandle invoker = MethodHandles.filterArguments(MethodHandles.invoker(type), 1, NON_NULL.asType(
                MethodType.methodType(type.parameterType(0), type.parameterType(0))));
        return new ConstantCallSite(MethodHandles.foldArguments(invoker, body));
    }

    private static boolean declaresConcrete(Class<?> c, String name, MethodType declared) {
        for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && !java.lang.reflect.Modifier.isStatic(m.getModifiers())
                    && m.getReturnType() == declared.returnType()
                    && java.util.Arrays.equals(m.getParameterTypes(), declared.parameterArray())) {
                return true;
            }
        }
        return false;
    }

    /** The body of {@code slot} in the calling thread's view, else {@code jvm} (the loaded classes' own), else NoSuchMethodError. */
    static MethodHandle addedOrElse(ViewSpace space, MethodSlot slot, MethodHandle jvm, String missing) {
        final CodeTable t = space.currentForCall().get(CodeViews.CODE);
        final MethodHandle h = t == null ? null : t.base(slot.id());   // its own body, not a dispatcher to overrides
        if (h != null) {
            return h;
        }
        if (jvm == null) {
            throw new NoSuchMethodError(missing);
        }
        return jvm;
    }

    /**
     * Bootstrap of a rewritten {@code new C(..)}: {@code type} is {@code (Q..)C}, the stack
     * effect of the constructor's {@code invokespecial} with the object as result. A
     * constructor that the loaded class has is linked through the caller's lookup (the same
     * access checks); one that a patch added to it builds the object as the patch's own code
     * does ({@link Constructions}: the class's entry constructor, its re-routing guard running
     * the added constructor's code in the calling thread's view), and throws
     * {@link NoSuchMethodError} in a view without that patch.
     */
    public static CallSite linkNew(MethodHandles.Lookup caller, String name, MethodType type, int registry, String owner) {
        MethodType declared = type.changeReturnType(void.class);
        Class<?> c;
        try {
            c = Linkage.ownerClass(caller, owner);
        } catch (NoClassDefFoundError e) {
            return failing(type, e);
        }
        try {
            return new ConstantCallSite(caller.findConstructor(c, declared).asType(type));
        } catch (NoSuchMethodException e) {
            // not in the loaded class: perhaps a patch added it
        } catch (IllegalAccessException e) {
            // the running access refuses it: perhaps a patch widened it
            MethodSlot w = Linkage.registry(registry).find(c.getClassLoader(), owner, MethodRegistry.WIDENED_PREFIX + "<init>",
                    declared.toMethodDescriptorString());
            return w == null || w.isStatic ? failing(type, new IllegalAccessError(e.getMessage()))
                    : new ConstantCallSite(viewWidened(Linkage.registry(registry).space(), w, type, e.getMessage(), false));
        }
        String missing = described(c, "<init>", declared);
        MethodRegistry r = Linkage.registry(registry);
        MethodSlot s = r.find(c.getClassLoader(), owner, "<init>", declared.toMethodDescriptorString());
        java.util.List<String> calls = java.util.List.of();
        for (MethodRegistry.LoadedClassInfo i : r.loaded(owner)) {
            if (i.loader() == c.getClassLoader()) {
                calls = i.constructionCalls();
            }
        }
        if (s == null || s.isStatic || Constructions.entryDescriptor(calls) == null) {
            return failing(type, new NoSuchMethodError(missing));
        }
        MethodHandle prologue = MethodHandles.insertArguments(ADDED_OR_MISSING, 0, r.space(), s, missing);
        try {
            return new ConstantCallSite(Constructions.newInstance(c, calls, type, prologue));
        } catch (ReflectiveOperationException e) {
            NoSuchMethodError err = new NoSuchMethodError(missing + " (its class's entry constructor cannot be linked: " + e + ")");
            return failing(type, err);
        }
    }

    /**
     * A call the running access refuses ({@code refused}): linked through the slot of a method a
     * patch widened, declared by {@code ownerClass} or a superclass (the call runs the running
     * member with the new access in the views that have that patch, and throws the JVM's
     * {@link IllegalAccessError} in the others), else failing as the instruction does.
     */
    private static CallSite widened(MethodRegistry r, Class<?> ownerClass, String name, String descriptor, boolean st,
                                    MethodType type, IllegalAccessException refused) {
        for (Class<?> c = ownerClass; c != null; c = c.getSuperclass()) {
            MethodSlot s = r.find(c.getClassLoader(), c.getName().replace('.', '/'), MethodRegistry.WIDENED_PREFIX + name,
                    descriptor);
            if (s != null && s.isStatic == st) {
                if (st) {
                    initialise(c);
                }
                MethodHandle call = viewWidened(r.space(), s, type, refused.getMessage(), !st);
                return new ConstantCallSite(st ? call : LaterOverrides.dispatching(c, name, call));
            }
        }
        return failing(type, new IllegalAccessError(refused.getMessage()));
    }

    /** {@code type}: the running member in {@code slot} with its widened access in the calling thread's view, or IllegalAccessError. */
    private static MethodHandle viewWidened(ViewSpace space, MethodSlot slot, MethodType type, String refused,
                                            boolean receiver) {
        MethodHandle member = MethodHandles.insertArguments(WIDENED_OR_REFUSED, 0, space, slot, refused);
        MethodHandle invoker = MethodHandles.invoker(type);
        if (receiver) {
            // access first (IllegalAccessError in a view without the patch), then the null check
            invoker = MethodHandles.filterArguments(invoker, 1, NON_NULL.asType(
                    MethodType.methodType(type.parameterType(0), type.parameterType(0))));
        }
        return MethodHandles.foldArguments(invoker, member);
    }

    static MethodHandle widenedOrRefused(ViewSpace space, MethodSlot slot, String refused) {
        final CodeTable t = space.currentForCall().get(CodeViews.CODE);
        final MethodHandle h = t == null ? null : t.handle(slot.id());
        if (h == null) {
            throw new IllegalAccessError(refused);
        }
        return h;
    }

    /** {@code 'R Owner.name(P, Q)'}: the method a call names, for NoSuchMethodError. */
    private static String described(Class<?> owner, String name, MethodType declared) {
        return "'" + declared.returnType().getTypeName() + " " + owner.getName() + "." + name
                + declared.parameterList().stream().map(Class::getTypeName)
                        .collect(java.util.stream.Collectors.joining(", ", "(", ")")) + "'";
    }

    /** Every superinterface of {@code c}, nearest first. */
    private static java.util.List<Class<?>> superinterfaces(Class<?> c) {
        java.util.List<Class<?>> out = new java.util.ArrayList<>();
        java.util.Deque<Class<?>> todo = new java.util.ArrayDeque<>();
        for (Class<?> s = c; s != null; s = s.getSuperclass()) {
            todo.addAll(java.util.List.of(s.getInterfaces()));
        }
        while (!todo.isEmpty()) {
            Class<?> i = todo.poll();
            if (!out.contains(i)) {
                out.add(i);
                todo.addAll(java.util.List.of(i.getInterfaces()));
            }
        }
        return out;
    }

    /** (O?, P..)R: the body of {@code slot} in the calling thread's view, or NoSuchMethodError. */
    private static MethodHandle viewDispatched(ViewSpace space, MethodSlot slot, MethodType type, boolean exact,
                                               String missing) {
        MethodHandle body = MethodHandles.insertArguments(ADDED_OR_MISSING, 0, space, slot, missing);
        // the body's receiver type is the declaring class; a call naming a subclass adapts per call
        MethodHandle invoker = exact ? MethodHandles.exactInvoker(type) : MethodHandles.invoker(type);
        if (!slot.isStatic) {
            // resolution first (NoSuchMethodError in a view without the patch), then the null check
            invoker = MethodHandles.filterArguments(invoker, 1, NON_NULL.asType(
                    MethodType.methodType(type.parameterType(0), type.parameterType(0))));
        }
        MethodHandle call = MethodHandles.foldArguments(invoker, body);
        return slot.isStatic ? call : ProxyTargets.onTarget(type.parameterType(0), call);
    }

    static MethodHandle addedOrMissing(ViewSpace space, MethodSlot slot, String missing) {
        final CodeTable t = space.currentForCall().get(CodeViews.CODE);
        final MethodHandle h = t == null ? null : t.handle(slot.id());
        if (h == null) {
            throw new NoSuchMethodError(missing);
        }
        return h;
    }

    private static void initialise(Class<?> c) {
        try {
            Class.forName(c.getName(), true, c.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(c.getName() + " is no longer loadable", e);
        }
    }

    private static CallSite failing(MethodType type, Throwable error) {
        return Linkage.failingSite(type, error);
    }
}
