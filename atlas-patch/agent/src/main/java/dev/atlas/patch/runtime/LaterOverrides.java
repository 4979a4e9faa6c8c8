package dev.atlas.patch.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;

/**
 * Overrides of a method a patch added, declared by classes that were not in the patch: a
 * subclass loaded after the apply, compiled against the new release (a test's subclass of a
 * library class, say), has a real method of the added method's name and descriptor. A call of
 * the added method on such an object runs that method, as virtual dispatch in the new release
 * would; on any other object the added method's body in the calling thread's view.
 *
 * <p>Implementation notes: the receiver's class is tested against the class the method was
 * added to first (the common case costs a class comparison); for another class a
 * {@link ClassValue} per call site holds the most derived declaring method below that class
 * (unreflected, adapted to the call site's type), or the view-dispatched call when there is
 * none. Both tests only decide whether the receiver runs the view-dispatched call, which the
 * call site then calls as the constant it is (the JIT inlines it); only a receiver with an
 * override of its own calls the handle the class value holds, which the JIT cannot inline. Static, abstract and private methods do not override; package-private ones are taken
 * as overriding (javac's overrides from another package are rare and would not compile as
 * such against the new release's class).
 *
 * <p>Threading: the handles are immutable; the class values are thread-safe.
 */
final class LaterOverrides {
    private static final MethodHandle SELECT;
    private static final MethodHandle RUNS_CALL;

    static {
        try {
            SELECT = MethodHandles.lookup().findStatic(LaterOverrides.class, "select", MethodType.methodType(
                    MethodHandle.class, Class.class, ClassValue.class, MethodHandle.class, Object.class));
            RUNS_CALL = MethodHandles.lookup().findStatic(LaterOverrides.class, "runsCall", MethodType.methodType(
                    boolean.class, Class.class, ClassValue.class, MethodHandle.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LaterOverrides() {}

    /**
     * {@code call}, {@code (O, P..)R}, the view-dispatched call of instance method {@code name}
     * added to {@code declaring}, made to run an override that the receiver's class declares.
     */
    static MethodHandle dispatching(Class<?> declaring, String name, MethodHandle call) {
        MethodType type = call.type();
        Class<?>[] params = type.dropParameterTypes(0, 1).parameterArray();
        ClassValue<MethodHandle> overrides = new ClassValue<>() {
            @Override
            protected MethodHandle computeValue(Class<?> c) {
                for (Class<?> k = c; k != null && k != declaring; k = k.getSuperclass()) {
                    MethodHandle h = declared(k, name, params, type);
                    if (h != null) {
                        return h;
                    }
                }
                return call;
            }
        };
        MethodHandle select = MethodHandles.insertArguments(SELECT, 0, declaring, overrides, call)
                .asType(MethodType.methodType(MethodHandle.class, type.parameterType(0)));
        MethodHandle runsCall = MethodHandles.dropArguments(MethodHandles.insertArguments(RUNS_CALL, 0, declaring, overrides, call)
                .asType(MethodType.methodType(boolean.class, type.parameterType(0))), 1, List.of(params));
        return MethodHandles.guardWithTest(runsCall, call, MethodHandles.foldArguments(MethodHandles.exactInvoker(type), select));
    }

    private static MethodHandle declared(Class<?> k, String name, Class<?>[] params, MethodType type) {
        Method m;
        try {
            m = k.getDeclaredMethod(name, params);
        } catch (NoSuchMethodException | LinkageError e) {
            return null;
        }
        int mod = m.getModifiers();
        if (Modifier.isStatic(mod) || Modifier.isAbstract(mod) || Modifier.isPrivate(mod) || m.isBridge()
                || m.getReturnType() != type.returnType() && !type.returnType().isAssignableFrom(m.getReturnType())) {
            return null;
        }
        try {
            return MethodHandles.privateLookupIn(k, MethodHandles.lookup()).unreflect(m).asType(type);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    /** Whether {@code self}'s class runs {@code call} itself (no override of its own): then the call site inlines it. */
    private static boolean runsCall(Class<?> declaring, ClassValue<MethodHandle> overrides, MethodHandle call, Object self) {
        if (self == null) {
            return true;
        }
        Class<?> c = self.getClass();
        return c == declaring || overrides.get(c) == call;
    }

    private static MethodHandle select(Class<?> declaring, ClassValue<MethodHandle> overrides, MethodHandle call, Object self) {
        if (self == null) {
            return call;
        }
        Class<?> c = self.getClass();
        return c == declaring ? call : overrides.get(c);
    }
}
