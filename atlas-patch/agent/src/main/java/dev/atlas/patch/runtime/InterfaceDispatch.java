package dev.atlas.patch.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Calls of an instance method that a patch added to a loaded interface {@code I} (a new
 * default method, or a new abstract one). The loaded interface gets no method, so neither
 * the JVM's {@code invokeinterface} nor its selection can reach it; a call site of the
 * patch's code ({@link PatchLinker#linkAdded}) or of a class loaded after the apply
 * ({@link OutsideCalls}) is linked here instead, and selects per call, on the receiver's
 * class, what the new release's JVM would select (JVMS 5.4.6), in the calling thread's view:
 * <ol>
 *   <li>the receiver's class chain, most derived first: a method a patch added to that
 *       class (its body in the view, when the view has it), or a public instance method the
 *       loaded class declares (an implementation from the old release, or a class loaded
 *       after the apply; called virtually, so its entry guard runs the view's body);</li>
 *   <li>its superinterfaces below {@code I}, most specific first: a default method a patch
 *       added there, or a default the loaded interface declares;</li>
 *   <li>{@code I}'s own entry in the view: the default body, or for an abstract method a body
 *       that throws {@link AbstractMethodError} naming the receiver's class, the method and
 *       the remedy (an implementation outside the patch, compiled against the old release).</li>
 * </ol>
 * In a view that does not have the method (before the migration reached the thread, after a
 * rollback) the call throws {@link NoSuchMethodError}, as the old release's interface would.
 *
 * <p>Limits: reflection on the running interface does not show the method
 * ({@code I.class.getMethod} throws {@link NoSuchMethodException}); a JDK dynamic proxy
 * implementing {@code I} runs the default body (its {@code InvocationHandler} is not asked:
 * there is no {@link Method} to give it), or throws {@link AbstractMethodError} for an
 * abstract method.
 *
 * <p>Implementation notes: the selection per receiver class is computed once and kept in a
 * {@link ClassValue}, recomputed when a patch has added a method since
 * ({@link MethodRegistry#addedGeneration()}); the bodies of added methods are looked up in the
 * view's table on each call. A call costs the view read, one {@code ClassValue} probe and a
 * generic invocation of the selected handle.
 *
 * <p>Threading: one instance per call site, shared by the threads that run it; selections are
 * published through a volatile field per class, racing computations give equal results.
 */
final class InterfaceDispatch {
    private static final MethodHandle SELECT;

    static {
        try {
            SELECT = MethodHandles.lookup().findVirtual(InterfaceDispatch.class, "select",
                    MethodType.methodType(MethodHandle.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One step of the selection: a loaded method (always taken) or an added method's slot (taken when the view has it). */
    private record Candidate(MethodHandle loaded, MethodSlot added) {}

    private record Selection(int generation, Candidate[] candidates) {}

    private static final class Holder {
        volatile Selection selection;
    }

    private final MethodRegistry registry;
    private final MethodSlot slot;
    private final Class<?> iface;
    private final MethodType declared;
    private final String missing;
    private final ClassValue<Holder> perClass = new ClassValue<>() {
        @Override
        protected Holder computeValue(Class<?> type) {
            return new Holder();
        }
    };

    private InterfaceDispatch(MethodRegistry registry, MethodSlot slot, Class<?> iface, String missing) {
        this.registry = registry;
        this.slot = slot;
        this.iface = iface;
        this.declared = MethodType.fromMethodDescriptorString(slot.descriptor(), iface.getClassLoader());
        this.missing = missing;
    }

    /** Whether {@code slot} is an instance method a patch added to the interface {@code owner}. */
    static boolean applies(Class<?> owner, MethodSlot slot) {
        return owner.isInterface() && !slot.isStatic();
    }

    /**
     * A call site target of type {@code type} ({@code (O self, P..)R}, {@code O} the interface or a
     * type below it) for instance method {@code slot} that a patch added to interface {@code iface}.
     *
     * @param missing the method as a {@link NoSuchMethodError} names it, for views without the patch
     */
    static MethodHandle target(MethodRegistry registry, MethodSlot slot, Class<?> iface, MethodType type, String missing) {
        InterfaceDispatch d = new InterfaceDispatch(registry, slot, iface, missing);
        MethodHandle selector = SELECT.bindTo(d).asType(MethodType.methodType(MethodHandle.class, type.parameterType(0)));
        return MethodHandles.foldArguments(MethodHandles.invoker(type), selector);
    }

    /** The handle this call runs on {@code self}: see the class comment. */
    private MethodHandle select(Object self) {
        CodeTable t = registry.space().currentForCall().get(CodeViews.CODE);
        MethodHandle own = t == null ? null : t.handle(slot.id());
        if (own == null) {
            throw new NoSuchMethodError(missing);
        }
        Holder h = perClass.get(self.getClass());   // NullPointerException for a null receiver, as invokeinterface
        Selection s = h.selection;
        int generation = registry.addedGeneration();
        if (s == null || s.generation() != generation) {
            s = new Selection(generation, candidates(self.getClass()));
            h.selection = s;
        }
        for (Candidate c : s.candidates()) {
            if (c.loaded() != null) {
                return c.loaded();
            }
            MethodHandle body = t.handle(c.added().id());
            if (body != null) {
                return body;
            }
        }
        return own;
    }

    /** Whether a receiver of class {@code c} gets an implementation other than the interface's own entry. */
    boolean implementedBy(Class<?> c) {
        return candidates(c).length > 0;
    }

    /** Whether {@code c} implements instance method {@code slot} of interface {@code iface} other than by the interface's own entry. */
    static boolean implementedBy(MethodRegistry registry, MethodSlot slot, Class<?> iface, Class<?> c) {
        return new InterfaceDispatch(registry, slot, iface, "").implementedBy(c);
    }

    private Candidate[] candidates(Class<?> receiver) {
        List<Candidate> out = new ArrayList<>();
        for (Class<?> s = receiver; s != null; s = s.getSuperclass()) {
            MethodSlot added = addedIn(s);
            if (added != null) {
                out.add(new Candidate(null, added));
            }
            Method m = declared(s);
            if (m != null && !Modifier.isAbstract(m.getModifiers()) && Modifier.isPublic(m.getModifiers())) {
                MethodHandle h = loaded(s);
                if (h != null) {
                    out.add(new Candidate(h, null));
                    return out.toArray(Candidate[]::new);
                }
            }
        }
        for (Class<?> j : mostSpecificFirst(receiver)) {
            MethodSlot added = addedIn(j);
            if (added != null) {
                out.add(new Candidate(null, added));
            }
            Method m = declared(j);
            if (m != null && m.isDefault()) {
                MethodHandle h = loaded(j);
                if (h != null) {
                    out.add(new Candidate(h, null));
                    break;
                }
            }
        }
        return out.toArray(Candidate[]::new);
    }

    /** The instance method a patch added to {@code c} under this name and descriptor, or null. */
    private MethodSlot addedIn(Class<?> c) {
        MethodSlot s = registry.find(c.getClassLoader(), c.getName().replace('.', '/'), slot.name(), slot.descriptor());
        return s == null || s.isStatic() || s == slot ? null : s;
    }

    /** The instance method {@code c} declares with this name and descriptor, or null. */
    private Method declared(Class<?> c) {
        Method[] methods;
        try {
            methods = c.getDeclaredMethods();
        } catch (LinkageError e) {
            return null;   // a parameter type of some other method does not load: the class cannot be searched
        }
        for (Method m : methods) {
            if (m.getName().equals(slot.name()) && !Modifier.isStatic(m.getModifiers())
                    && m.getReturnType() == declared.returnType()
                    && java.util.Arrays.equals(m.getParameterTypes(), declared.parameterArray())) {
                return m;
            }
        }
        return null;
    }

    /** A virtual handle on {@code c}'s declaration of the method, or null if no lookup reaches it. */
    private MethodHandle loaded(Class<?> c) {
        try {
            return MethodHandles.privateLookupIn(c, MethodHandles.lookup()).findVirtual(c, slot.name(), declared);
        } catch (ReflectiveOperationException | IllegalArgumentException | SecurityException e) {
            try {
                return MethodHandles.publicLookup().findVirtual(c, slot.name(), declared);
            } catch (ReflectiveOperationException e2) {
                return null;
            }
        }
    }

    /** The superinterfaces of {@code c} below {@code iface}, each before the interfaces it extends. */
    private List<Class<?>> mostSpecificFirst(Class<?> c) {
        Set<Class<?>> all = new HashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>();
        for (Class<?> s = c; s != null; s = s.getSuperclass()) {
            todo.addAll(List.of(s.getInterfaces()));
        }
        if (c.isInterface()) {
            todo.add(c);
        }
        while (!todo.isEmpty()) {
            Class<?> i = todo.poll();
            if (all.add(i)) {
                todo.addAll(List.of(i.getInterfaces()));
            }
        }
        List<Class<?>> below = new ArrayList<>();
        for (Class<?> i : all) {
            if (i != iface && iface.isAssignableFrom(i)) {
                below.add(i);
            }
        }
        List<Class<?>> ordered = new ArrayList<>();
        while (!below.isEmpty()) {
            for (Class<?> i : below) {
                boolean extendedByAnother = false;
                for (Class<?> o : below) {
                    if (o != i && i.isAssignableFrom(o)) {
                        extendedByAnother = true;
                        break;
                    }
                }
                if (!extendedByAnother) {
                    ordered.add(i);
                    below.remove(i);
                    break;
                }
            }
        }
        return ordered;
    }
}
