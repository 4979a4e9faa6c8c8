package dev.atlas.patch.runtime;

import dev.atlas.core.ViewSpace;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.lang.ref.WeakReference;

/**
 * One patchable method of one loaded class: its identity, and the call site of its entry
 * guard. Created by the instrumenter when the class is transformed; shared by every view.
 *
 * <p>Implementation notes. The instrumented method starts with an {@code invokedynamic}
 * bound to {@link #site}: it returns the method handle that replaces the body for the
 * calling thread's view, or null to run the original body. Until some view overrides the
 * method the target is a constant null, which the JIT folds away: an unpatched method pays
 * nothing. {@link #activate()} switches the target, once and for good, to a lookup in the
 * calling thread's view (see {@link Dispatch#override}); the JIT then deoptimises only the
 * code that had inlined this guard.
 *
 * <p>Threading: immutable apart from the call site target, which changes once, from the
 * operator thread preparing a patch, before any thread is migrated to a view that needs it
 * ({@link MutableCallSite#syncAll} is called in between, see {@link CodeViews}).
 */
public final class MethodSlot {
    private static final MethodHandle NO_OVERRIDE = MethodHandles.constant(MethodHandle.class, null);
    private static final MethodHandle SAME;

    static {
        try {
            SAME = MethodHandles.lookup().findStatic(MethodSlot.class, "same",
                    MethodType.methodType(boolean.class, MethodHandle.class, MethodHandle.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ViewSpace space;
    final int id;
    final WeakReference<ClassLoader> loader;
    private final boolean bootstrap;   // a class of the bootstrap loader (loader's referent is null from the start)
    final String className;     // internal name
    final String name;
    final String descriptor;
    final boolean isStatic;
    final MutableCallSite site = new MutableCallSite(NO_OVERRIDE);
    private volatile boolean active;
    /** Whether this is a method of a class that is not instrumented, registered for {@link ForeignMethodGuards}. */
    volatile boolean foreign;
    /** The method's own body as an invokespecial, once {@link ForeignMethodGuards} gave it a guard; else null. */
    volatile MethodHandle foreignOwnBody;
    private MutableCallSite invokeSite;   // guarded by this; linked on the first run of the guarded call
    private MethodHandle cached;          // guarded by this; the newest patch's handle, or null
    private MethodHandle installed;       // guarded by this; the handle the invoke site's inline cache tests for, or null

    MethodSlot(ViewSpace space, int id, ClassLoader loader, String className, String name, String descriptor, boolean isStatic) {
        this.space = space;
        this.id = id;
        this.loader = new WeakReference<>(loader);
        this.bootstrap = loader == null;
        this.className = className;
        this.name = name;
        this.descriptor = descriptor;
        this.isStatic = isStatic;
    }

    public int id() {
        return id;
    }

    public String className() {
        return className;
    }

    public String name() {
        return name;
    }

    public String descriptor() {
        return descriptor;
    }

    public boolean isStatic() {
        return isStatic;
    }

    /**
     * The loaded class declaring this method.
     *
     * @throws IllegalStateException if its class loader is gone or cannot find it any more
     */
    public Class<?> ownerClass() {
        ClassLoader l = loader.get();
        if (l == null && !bootstrap) {
            throw new IllegalStateException("the class loader of " + describe() + " was unloaded");
        }
        try {
            return Class.forName(className.replace('/', '.'), false, l);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(describe() + " is no longer loadable", e);
        }
    }

    /** Whether the guard dispatches through the views (some view has overridden this method). */
    public boolean isActive() {
        return active;
    }

    /**
     * What this method's entry guard calls: {@code ()MethodHandle}, yielding the calling
     * thread's view's body for it, or null to run its own (the call site's current target on
     * each call). For guards that cannot link to the site themselves ({@link ForeignMethodGuards}).
     */
    public MethodHandle guardInvoker() {
        return site.dynamicInvoker();
    }

    /** The exact type the entry guard invokes a replacement with: (C, P..)R, or (P..)R if static. */
    MethodType dispatchType(Class<?> owner) {
        MethodType t = MethodType.fromMethodDescriptorString(descriptor, owner.getClassLoader());
        return isStatic ? t : t.insertParameterTypes(0, owner);
    }

    /** Operator thread: routes the guard through the views from now on (idempotent). */
    boolean activate() {
        if (active) {
            return false;
        }
        site.setTarget(MethodHandles.insertArguments(Dispatch.OVERRIDE, 0, space, id));
        active = true;
        return true;
    }

    /**
     * Operator thread (after {@link #activate()}): the guard answers for {@code view} from a
     * constant — one read of the calling thread's view and a compare — and asks the view's
     * table for any other view. {@code handle} must be what {@code view}'s table holds for this
     * method (null: the original body), and not a wrapper (which may ask for the original
     * body through the slow path). A view's table never changes, so a thread that sees an
     * older cached view still gets that view's body: the cache is never wrong, only a miss.
     */
    void cacheView(dev.atlas.core.View view, MethodHandle handle) {
        MethodHandle slow = MethodHandles.insertArguments(Dispatch.OVERRIDE, 0, space, id);
        site.setTarget(MethodHandles.guardWithTest(MethodHandles.insertArguments(Dispatch.IS_CURRENT_VIEW, 0, space, view),
                MethodHandles.constant(MethodHandle.class, handle), slow));
    }

    /**
     * Operator thread, before any thread may need the new code: runs the guard once and
     * builds the invoke site's handles, so that the method-handle machinery behind both
     * (lambda forms are compiled to classes when a handle is built) is created here and not
     * by the first application thread that calls the method in the new view. Side-effect
     * free: no application code runs.
     *
     * <p>The invoke site is not invoked: from here that could only be done through
     * {@code invokeWithArguments}, whose type adapters and spreaders (about 70 lambda forms
     * for the patch demo's seven methods) no request ever uses; measured, they were a third
     * of the classes the JDK spun at the patch instant. What stays for the first request
     * that runs the method in the new view is linking its own call site (the JVM's
     * call-site linker form for that erased type, when no earlier site built it).
     */
    void prime() throws Throwable {
        Object unused = (MethodHandle) site.dynamicInvoker().invokeExact();
        MethodType bodyType = dispatchType(ownerClass());
        invokeSite(bodyType.insertParameterTypes(0, MethodHandle.class));
        if (unused == this) {
            throw new AssertionError();   // keeps the guard's result used
        }
    }

    /**
     * The call site that invokes the handle the guard found, of type {@code (MethodHandle, C, P..)R}:
     * {@code invokeExact} with an inline cache for the handle {@link #installCache} installed.
     */
    synchronized MutableCallSite invokeSite(MethodType type) {
        if (invokeSite == null) {
            invokeSite = new MutableCallSite(invoker(type, installed));
        }
        return invokeSite;
    }

    /**
     * Operator thread: remembers {@code handle} as the one the invoke site's inline cache
     * should hold (null: none, the original body runs); {@link #installCache} puts it there.
     * The slot keeps {@code handle} (and its body class) reachable until the next patch or
     * rollback of this method.
     */
    synchronized void cache(MethodHandle handle) {
        cached = handle;
    }

    /**
     * Makes the invoke site call the handle given to {@link #cache} as a constant when the
     * guard yields that very handle (the JIT then inlines it), and any other handle through
     * {@code invokeExact}. Every target invokes the handle it is given, so which target a
     * thread sees, and when this runs, never changes what runs: no synchronisation is needed.
     * Building the cache spins lambda forms per erased signature (a guard-with-test, a
     * dropped argument): {@link CodeViews} calls this a while after a patch's migration, not
     * at the patch instant.
     *
     * @return whether the inline cache changed
     */
    synchronized boolean installCache() {
        if (cached == installed) {
            return false;
        }
        installed = cached;
        if (invokeSite != null) {
            invokeSite.setTarget(invoker(invokeSite.type(), installed));
        }
        return true;
    }

    /**
     * Operator thread, for a slot whose class loader's code will not run again (an ended
     * program's, its patches rolled back): drops the invoke site (its type names the class)
     * and the cached handles, so that this slot, which the registry holds until the loader is
     * collected, does not keep the loader reachable. A call site that code already linked to
     * the invoke site keeps working (it holds the site object itself).
     */
    synchronized void release() {
        invokeSite = null;
        cached = null;
        installed = null;
    }

    /** Whether the invoke site's inline cache holds {@code handle} (tests). */
    synchronized boolean inlineCacheHolds(MethodHandle handle) {
        return installed == handle;
    }

    private static MethodHandle invoker(MethodType siteType, MethodHandle cached) {
        MethodHandle generic = MethodHandles.exactInvoker(siteType.dropParameterTypes(0, 1));
        if (cached == null || !cached.type().equals(siteType.dropParameterTypes(0, 1))) {
            return generic;
        }
        return MethodHandles.guardWithTest(MethodHandles.insertArguments(SAME, 1, cached),
                MethodHandles.dropArguments(cached, 0, MethodHandle.class), generic);
    }

    private static boolean same(MethodHandle found, MethodHandle cached) {
        return found == cached;
    }

    /** "com.acme.Foo#bar(I)V". */
    public String describe() {
        return className.replace('/', '.') + "#" + name + descriptor;
    }

    @Override
    public String toString() {
        return "MethodSlot[" + id + " " + describe() + (active ? ", active" : "") + "]";
    }
}
