package dev.atlas.patch.runtime;

import dev.atlas.patch.format.ObjectRebuilds;
import dev.atlas.patch.shadow.RebuildMarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The rebuild of the objects of one patched class (in one class loader) that were made before
 * the apply: in the view of the patch, at the first entry of an instance method that the class, or
 * a subclass loaded and instrumented at the apply, declares on such an object, the methods the patch
 * names ({@link ObjectRebuilds}) are called on it once, in order, then the call goes on. Objects made by the class's constructors in that view are
 * marked as they are made and never rebuilt.
 *
 * <p>How: the view's table entry of every instance method of the class (and of those subclasses) is wrapped by
 * {@link #ENSURE} ({@link RebuildMarks#ensureRebuilt}, then the method's body in the view), and
 * that of every constructor (replaced by the builder for this purpose) by {@link #MARK}
 * ({@link RebuildMarks#markBuilt}, then the constructor's new code). The rebuild itself is a
 * virtual call of the method on the object, so it enters that method's own guard, where the
 * marker lets the rebuilding thread through, and runs its body in the view: the new one (or a
 * subclass's override, as the constructor would call it).
 *
 * <p>The marks are kept per (class loader, class, patch) for the life of the code views: a rollback
 * leaves rebuilt objects rebuilt (their state is the new code's: nothing can restore the old one),
 * and an apply of the same patch again does not rebuild them a second time.
 *
 * <p>Threading: immutable apart from the marks, which are shared ({@link RebuildMarks}).
 */
public final class ObjectRebuild implements RebuildMarks.Action {
    /** (ObjectRebuild, Object)void: {@link #ensure}. */
    static final MethodHandle ENSURE;
    /** (ObjectRebuild, Object)void: {@link #mark}. */
    static final MethodHandle MARK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            MethodType t = MethodType.methodType(void.class, ObjectRebuild.class, Object.class);
            ENSURE = l.findStatic(ObjectRebuild.class, "ensure", t);
            MARK = l.findStatic(ObjectRebuild.class, "mark", t);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String appliedId;
    private volatile ClassLoader loader;   // null once released (forgetLoader)
    private final String className;
    private final String method;
    private final RebuildMarks marks;
    private volatile MethodHandle[] calls;   // (Object)void each: the methods, called virtually, in order; null once released

    ObjectRebuild(String appliedId, ClassLoader loader, String className, String method, RebuildMarks marks, MethodHandle[] calls) {
        this.appliedId = appliedId;
        this.loader = loader;
        this.className = className;
        this.method = method;
        this.marks = marks;
        this.calls = calls;
    }

    static void ensure(ObjectRebuild r, Object self) throws Throwable {
        r.marks.ensureRebuilt(self, r);
    }

    static void mark(ObjectRebuild r, Object self) {
        r.marks.markBuilt(self);
    }

    @Override
    public void rebuild(Object self) throws Throwable {
        MethodHandle[] c = calls;
        if (c == null) {
            throw new IllegalStateException("the class loader of " + className.replace('/', '.') + " was released");
        }
        for (MethodHandle call : c) {
            call.invokeExact(self);
        }
    }

    /** Drops what keeps the class's loader reachable (its loader was released: no view runs its code any more). */
    void release() {
        calls = null;
        loader = null;
    }

    /** The patch (its applied id) that rebuilds these objects. */
    String appliedId() {
        return appliedId;
    }

    ClassLoader loader() {
        return loader;
    }

    /** The class (internal name) whose objects are rebuilt. */
    public String className() {
        return className;
    }

    /** The methods ({@code name + descriptor}, one per line, in the order they run) re-run on them. */
    public String method() {
        return method;
    }

    /** Objects rebuilt so far (in any view that has the patch, over its applies). */
    public long rebuiltCount() {
        return marks.rebuiltCount();
    }

    /** Rebuilds that threw (the object stayed unmarked and is rebuilt again at its next use). */
    public long failedCount() {
        return marks.failedCount();
    }

    /** What the view does with older objects, and what it has done so far. */
    public String describe() {
        return ObjectRebuilds.line(className, method) + " [" + rebuiltCount() + " object(s) rebuilt so far, "
                + failedCount() + " rebuild(s) threw (each rethrown to its caller, the object rebuilt again at its next use)]";
    }

    @Override
    public String toString() {
        return "ObjectRebuild[" + className + "#" + method + " by " + appliedId + "]";
    }
}
