package dev.atlas.patch.runtime;

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

    final int id;
    final WeakReference<ClassLoader> loader;
    final String className;     // internal name
    final String name;
    final String descriptor;
    final boolean isStatic;
    final MutableCallSite site = new MutableCallSite(NO_OVERRIDE);
    private volatile boolean active;

    MethodSlot(int id, ClassLoader loader, String className, String name, String descriptor, boolean isStatic) {
        this.id = id;
        this.loader = new WeakReference<>(loader);
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
        if (l == null) {
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
        site.setTarget(MethodHandles.insertArguments(Dispatch.OVERRIDE, 0, id));
        active = true;
        return true;
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
