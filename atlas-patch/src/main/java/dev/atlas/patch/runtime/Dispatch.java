package dev.atlas.patch.runtime;

import dev.atlas.core.ViewScope;

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
 *   invokedynamic target()MethodHandle  [Dispatch.target, id]   // null unless overridden in this thread's view
 *   dup; ifnull ORIGINAL
 *   <load this and the arguments>; invokedynamic invoke(MethodHandle, C, P..)R  [Dispatch.invoker, id]; xreturn
 * ORIGINAL:
 *   pop; <original body>
 * }
 * where {@code invoke} is {@code MethodHandle.invokeExact} of the handle found, with an inline
 * cache: the handle of the newest patch of the method is tested for identity and called as
 * a constant, which the JIT inlines (see {@link MethodSlot#cache}). A request-boundary method is wrapped in {@link #enterRequest()} and
 * {@code ViewScope.close()} (on every exit, normal or exceptional).
 */
public final class Dispatch {
    private Dispatch() {}

    /** (int id)MethodHandle: the override of method {@code id} in the calling thread's view. */
    static final MethodHandle OVERRIDE;

    static {
        try {
            OVERRIDE = MethodHandles.lookup().findStatic(Dispatch.class, "override",
                    MethodType.methodType(MethodHandle.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bootstrap of a method's entry guard: the slot's call site (constant null until some view overrides it). */
    public static CallSite target(MethodHandles.Lookup caller, String name, MethodType type, int id) {
        return CodeViews.get().registry().slot(id).site;
    }

    /** Bootstrap of a method's invoke site: {@code invokeExact} of the handle its guard found, with an inline cache. */
    public static CallSite invoker(MethodHandles.Lookup caller, String name, MethodType type, int id) {
        return CodeViews.get().registry().slot(id).invokeSite(type);
    }

    /** The override of method {@code id} for this call: a thread-local read, a volatile read and a table probe. */
    static MethodHandle override(int id) {
        CodeTable t = CodeViews.get().space().currentForCall().get(CodeViews.CODE);
        return t == null ? null : t.handle(id);
    }

    /** Opens a request scope at a request-boundary method (see {@code dev.atlas.core.ViewSpace#enterRequest}). */
    public static ViewScope enterRequest() {
        return CodeViews.get().space().enterRequest();
    }
}
