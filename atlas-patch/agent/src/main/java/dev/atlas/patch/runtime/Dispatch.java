package dev.atlas.patch.runtime;

import dev.atlas.core.View;
import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;

import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The entry points that instrumented application code calls. Public because instrumented
 * classes in any package link to them; not an API for applications.
 *
 * <p>Every patchable method starts with:
 * {@snippet lang=text :
 *   invokedynamic target()MethodHandle  [Dispatch.target, registry, id]   // null unless overridden in this thread's view
 *   dup; ifnull ORIGINAL
 *   <load this and the arguments>; invokedynamic invoke(MethodHandle, C, P..)R  [Dispatch.invoker, registry, id]; xreturn
 * ORIGINAL:
 *   pop; <original body>
 * }
 * where {@code invoke} is {@code MethodHandle.invokeExact} of the handle found, with an inline
 * cache: the handle of the newest patch of the method is tested for identity and called as
 * a constant, which the JIT inlines (see {@link MethodSlot#cache}). A request-boundary method is wrapped in
 * {@code Dispatch.enterRequest(registry)} and
 * {@code ViewScope.close()} (on every exit, normal or exceptional).
 *
 * <p>{@code registry} is the {@link MethodRegistry#linkIndex() link index} of the registry
 * the instrumenter recorded the class in: the bootstraps find their code views through
 * {@link Linkage}, and bind them into the call sites, so that no guarded call reads a static.
 */
public final class Dispatch {
    private Dispatch() {}

    /** (ViewSpace, int id)MethodHandle: the override of method {@code id} in the calling thread's view. */
    static final MethodHandle OVERRIDE;
    /** (ViewSpace, MethodSlot)MethodHandle: the body of an added method in the calling thread's view. */
    static final MethodHandle ADDED;
    /**
     * (ViewSpace, MethodSlot)MethodHandle: the body of an added method in the calling thread's
     * view under an override dispatcher ({@link OverrideDispatch}): what a super call runs.
     */
    static final MethodHandle ADDED_OWN;
    /** (ViewSpace, View)boolean: whether the calling thread's view is that one. */
    static final MethodHandle IS_CURRENT_VIEW;
    /** (int id)void: {@link #requestOwnBody}. */
    static final MethodHandle REQUEST_OWN_BODY;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            OVERRIDE = l.findStatic(Dispatch.class, "override",
                    MethodType.methodType(MethodHandle.class, ViewSpace.class, int.class));
            ADDED = l.findStatic(Dispatch.class, "added",
                    MethodType.methodType(MethodHandle.class, ViewSpace.class, MethodSlot.class));
            ADDED_OWN = l.findStatic(Dispatch.class, "addedOwn",
                    MethodType.methodType(MethodHandle.class, ViewSpace.class, MethodSlot.class));
            IS_CURRENT_VIEW = l.findStatic(Dispatch.class, "isCurrentView",
                    MethodType.methodType(boolean.class, ViewSpace.class, View.class));
            REQUEST_OWN_BODY = l.findStatic(Dispatch.class, "requestOwnBody", MethodType.methodType(void.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bootstrap of a method's entry guard: the slot's call site (constant null until some view overrides it). */
    public static CallSite target(MethodHandles.Lookup caller, String name, MethodType type, int registry, int id) {
        return Linkage.registry(registry).slot(id).site;
    }

    /** Bootstrap of a method's invoke site: {@code invokeExact} of the handle its guard found, with an inline cache. */
    public static CallSite invoker(MethodHandles.Lookup caller, String name, MethodType type, int registry, int id) {
        return Linkage.registry(registry).slot(id).invokeSite(type);
    }

    /**
     * Opens a request scope at a request-boundary method: {@link ViewSpace#enterRequest()} of
     * the view space of registry {@code registry} (its {@link MethodRegistry#linkIndex()}).
     */
    public static ViewScope enterRequest(int registry) {
        return Linkage.registry(registry).space().enterRequest();
    }

    /** The override of method {@code id} for this call: a thread-local read, a volatile read and a table probe. */
    static MethodHandle override(ViewSpace space, int id) {
        final CodeTable t = space.currentForCall().get(CodeViews.CODE);
        final int i = t == null ? -1 : t.index(id);
        if (i < 0) {
            return null;
        }
        if (t.wrapperAt(i) && Bypass.take(id)) {
            return t.baseAt(i);   // a wrapper asked for the method's own body (null: the original): run it, this once
        }
        return t.handleAt(i);
    }

    static boolean isCurrentView(ViewSpace space, View view) {
        return space.currentForCall() == view;
    }

    static MethodHandle added(ViewSpace space, MethodSlot slot) {
        final CodeTable t = space.currentForCall().get(CodeViews.CODE);
        final MethodHandle h = t == null ? null : t.handle(slot.id());
        if (h == null) {
            throw new IllegalStateException("method " + slot.describe()
                    + " was added by a patch that the calling thread's view does not have");
        }
        return h;
    }

    static MethodHandle addedOwn(ViewSpace space, MethodSlot slot) {
        final CodeTable t = space.currentForCall().get(CodeViews.CODE);
        final MethodHandle h = t == null ? null : t.base(slot.id());
        if (h == null) {
            throw new IllegalStateException("method " + slot.describe()
                    + " was added by a patch that the calling thread's view does not have");
        }
        return h;
    }

    /**
     * Runs the body that method {@code id} has without this view's wrapper: the original body
     * through {@code original} (an invokespecial-style handle of the method itself), whose
     * entry guard sees the request and runs the original code once.
     */
    public static Object callOriginal(int id, MethodHandle original, Object[] args) throws Throwable {
        Bypass.request(id);
        try {
            return original.invokeWithArguments(args);
        } finally {
            Bypass.clear();
        }
    }

    /** Asks the next entry guard of method {@code id} on this thread to skip its view's wrapper once. */
    static void requestOwnBody(int id) {
        Bypass.request(id);
    }

    /** Withdraws a request of {@link #requestOwnBody} that no wrapper took. */
    static void clearOwnBodyRequest() {
        Bypass.clear();
    }

    /** Per-thread request to skip one wrapper (single-writer: the owning thread). */
    private static final class Bypass {
        private static final ThreadLocal<int[]> PENDING = ThreadLocal.withInitial(() -> new int[] {-1});

        static void request(int id) {
            PENDING.get()[0] = id;
        }

        static boolean take(int id) {
            int[] p = PENDING.get();
            if (p[0] == id) {
                p[0] = -1;
                return true;
            }
            return false;
        }

        static void clear() {
            PENDING.get()[0] = -1;
        }
    }
}
