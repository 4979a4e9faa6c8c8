package dev.atlas.patch.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Overrides that a patch adds to a loaded class. The running class cannot get a method, so
 * virtual calls on a receiver of that class still reach the inherited method; when that
 * method is instrumented, its entry guard is where the new release's dispatch is restored: in
 * a view that has the new override, the inherited method's table entry is a dispatcher
 * {@snippet lang=text :
 *   (Q self, P..)R:  S2.isInstance(self) ? <S2's body in this view>(self, ..)     most derived first
 *                  : S1.isInstance(self) ? <S1's body in this view>(self, ..)
 *                  : base(self, ..)          the body Q.m has in this view: a patch's replacement, or
 *                                            the original (its guard asked once to skip the dispatcher)
 * }
 * Views without the override do not have the entry and run the inherited method as before.
 * An inherited method the agent does not instrument (the JDK's {@code Object.toString}, an
 * interface's default method, a library's) gets a slot and an entry guard of its own from
 * {@link ForeignMethodGuards} the first time a patch overrides it, and then dispatches the same way.
 * Super calls in a patch's code ({@link PatchLinker#linkSuper}) ask the guard for the base, so
 * the override's {@code super.m()} does not come back to it.
 *
 * <p>Implementation notes: the dispatcher is a wrapper entry of the {@link CodeTable} with its
 * base beside it ({@link CodeTable#baseAt}); an override's body is looked up in the calling
 * thread's view on each call (a later patch may change it, or add an override of the override,
 * which composes: the override's own entry is then a dispatcher). The cost falls only on calls
 * of the overridden method in views that have a dispatcher for it: the entry guard's table
 * probe and one {@code isInstance} test per override; the old view and unpatched methods pay
 * nothing new.
 *
 * <p>Threading: called by the operator thread preparing a patch (under the code views' lock).
 */
final class OverrideDispatch {
    private static final MethodHandle IS_INSTANCE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            IS_INSTANCE = l.findVirtual(Class.class, "isInstance", MethodType.methodType(boolean.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private OverrideDispatch() {}

    /** The dispatchers of one new view, with their bases and the guards to switch on. */
    record Hooks(Map<Integer, MethodHandle> dispatchers, Map<Integer, MethodHandle> bases, List<MethodSlot> activate) {}

    /**
     * Records what the added instance method {@code added} of {@code c} overrides: the nearest
     * inherited declaration (superclasses first, then interfaces' default methods).
     *
     * <p>A method of a class that is not instrumented (the JDK's, or a library's outside the
     * include patterns) gets a slot of its own and an entry guard from {@code foreign} (its class
     * retransformed), and then dispatches as an instrumented one.
     *
     * @throws PatchRejectedException if that method is not instrumented and cannot get a guard
     *         (native, or its class cannot be retransformed): its calls could not reach the new override
     */
    static void register(MethodRegistry registry, ForeignMethodGuards foreign, Class<?> c, MethodSlot added, String patchId) {
        Deque<Class<?>> interfaces = new ArrayDeque<>();
        for (Class<?> s = c.getSuperclass(); s != null; s = s.getSuperclass()) {
            if (found(registry, foreign, c, s, added, patchId)) {
                return;
            }
        }
        for (Class<?> s = c; s != null; s = s.getSuperclass()) {
            interfaces.addAll(List.of(s.getInterfaces()));
        }
        Set<Class<?>> seen = new HashSet<>();
        while (!interfaces.isEmpty()) {
            Class<?> i = interfaces.poll();
            if (seen.add(i)) {
                if (found(registry, foreign, c, i, added, patchId)) {
                    return;
                }
                interfaces.addAll(List.of(i.getInterfaces()));
            }
        }
    }

    /** Whether the search ends at {@code s}: it declares the method that {@code c}'s new one overrides. */
    private static boolean found(MethodRegistry registry, ForeignMethodGuards foreign, Class<?> c, Class<?> s,
                                 MethodSlot added, String patchId) {
        for (Method m : s.getDeclaredMethods()) {
            int mod = m.getModifiers();
            if (!m.getName().equals(added.name()) || Modifier.isStatic(mod) || Modifier.isPrivate(mod)
                    || !MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString()
                    .equals(added.descriptor())) {
                continue;
            }
            if (!Modifier.isPublic(mod) && !Modifier.isProtected(mod)
                    && (s.getClassLoader() != c.getClassLoader() || !s.getPackageName().equals(c.getPackageName()))) {
                return false;   // package-private in another runtime package: not overridden, the search goes on
            }
            if (Modifier.isAbstract(mod)) {
                return true;   // implements an abstract method: every call reaching it dispatches to a declaration
            }
            MethodSlot slot = registry.find(s.getClassLoader(), s.getName().replace('.', '/'), added.name(), added.descriptor());
            if (slot == null || slot.foreign && slot.foreignOwnBody == null) {
                if (Modifier.isNative(mod)) {
                    throw new PatchRejectedException("patch " + patchId + " adds " + added.describe() + ", which overrides "
                            + s.getName() + "." + added.name() + ": a native method, which has no body to give an entry "
                            + "guard, so calls on " + c.getName() + " objects cannot reach the new override; remedy: "
                            + "restart on the new release");
                }
                slot = registry.register(s.getClassLoader(), s.getName().replace('.', '/'), added.name(),
                        added.descriptor(), false);
                slot.foreign = true;
            }
            if (slot.foreign) {
                try {
                    slot.foreignOwnBody = foreign.guard(slot, c);
                } catch (PatchRejectedException e) {
                    throw new PatchRejectedException("patch " + patchId + " adds " + added.describe() + ", which overrides "
                            + s.getName() + "." + added.name() + ", a method that is not instrumented: " + e.getMessage(), e);
                }
            }
            registry.addOverrider(slot, added);
            return true;
        }
        MethodSlot addedEarlier = registry.find(s.getClassLoader(), s.getName().replace('.', '/'), added.name(),
                added.descriptor());
        if (addedEarlier != null && !addedEarlier.isStatic()) {   // not declared: a method an earlier patch added
            if (!s.isInterface()) {
                registry.addOverrider(addedEarlier, added);
            }   // an interface's added method: its calls select on the receiver's class (InterfaceDispatch)
            return true;
        }
        return false;
    }

    /**
     * The dispatchers that the view built from {@code parent} with this patch's
     * {@code overrides} needs: for every overridden method whose own body or one of whose
     * overrides this patch sets, and that has an override in the new view.
     */
    static Hooks hooks(MethodRegistry registry, Map<Integer, MethodHandle> overrides, CodeTable parent) {
        Map<Integer, MethodHandle> dispatchers = new HashMap<>();
        Map<Integer, MethodHandle> bases = new HashMap<>();
        List<MethodSlot> activate = new ArrayList<>();
        for (Map.Entry<Integer, List<MethodSlot>> e : registry.overriders().entrySet()) {
            int q = e.getKey();
            List<MethodSlot> live = new ArrayList<>();
            boolean touched = overrides.containsKey(q);
            for (MethodSlot s : e.getValue()) {
                if (overrides.containsKey(s.id()) || parent.handle(s.id()) != null) {
                    live.add(s);
                    touched |= overrides.containsKey(s.id());
                }
            }
            if (live.isEmpty() || !touched) {
                continue;
            }
            MethodSlot slot = registry.slot(q);
            MethodHandle base = overrides.containsKey(q) ? overrides.get(q) : parent.base(q);
            if (base != null) {
                bases.put(q, base);
            }
            dispatchers.put(q, dispatcher(registry, slot, live, base));
            activate.add(slot);
        }
        return new Hooks(dispatchers, bases, activate);
    }

    private static MethodHandle dispatcher(MethodRegistry registry, MethodSlot slot, List<MethodSlot> overriders,
                                           MethodHandle base) {
        Class<?> owner = slot.ownerClass();
        MethodType type = MethodType.fromMethodDescriptorString(slot.descriptor(), owner.getClassLoader())
                .insertParameterTypes(0, owner);
        MethodHandle d = base != null ? base.asType(type)   // the original through its guard, asked once for its own body
                : MethodHandles.foldArguments(CodeViews.ownBodyOf(slot), MethodHandles.insertArguments(Dispatch.REQUEST_OWN_BODY, 0, slot.id()));
        List<MethodSlot> byDepth = new ArrayList<>(overriders);
        byDepth.sort(Comparator.comparingInt(s -> depth(s.ownerClass())));   // least derived first: wrapped innermost
        for (MethodSlot s : byDepth) {
            Class<?> c = s.ownerClass();
            MethodType st = type.changeParameterType(0, c);
            MethodHandle body = MethodHandles.foldArguments(MethodHandles.exactInvoker(st),
                    MethodHandles.insertArguments(Dispatch.ADDED, 0, registry.space(), s)).asType(type);
            MethodHandle test = MethodHandles.dropArguments(IS_INSTANCE.bindTo(c).asType(MethodType.methodType(boolean.class,
                    type.parameterType(0))), 1, type.dropParameterTypes(0, 1).parameterList());
            d = MethodHandles.guardWithTest(test, body, d);
        }
        return d;
    }

    private static int depth(Class<?> c) {
        int d = 0;
        for (Class<?> s = c; s != null; s = s.getSuperclass()) {
            d++;
        }
        return d;
    }
}
