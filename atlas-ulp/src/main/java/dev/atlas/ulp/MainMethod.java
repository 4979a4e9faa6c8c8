package dev.atlas.ulp;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * A program's entry point, found as the {@code java} launcher finds it (JDK 25): a
 * {@code main(String[])}, else a {@code main()}; static, or an instance method of a class with
 * a no-argument constructor.
 *
 * <p>Thread safety: immutable.
 */
final class MainMethod {
    private final Class<?> mainClass;
    private final Method method;

    private MainMethod(Class<?> mainClass, Method method) {
        this.mainClass = mainClass;
        this.method = method;
    }

    static MainMethod find(Class<?> mainClass) throws LaunchException {
        Method m = find(mainClass, true);
        if (m == null) {
            m = find(mainClass, false);
        }
        if (m == null) {
            throw new LaunchException("Error: Main method not found in class " + mainClass.getName()
                    + ", please define the main method as:\n   public static void main(String[] args)\n"
                    + "or a JavaFX application class must extend javafx.application.Application", null);
        }
        m.setAccessible(true);
        return new MainMethod(mainClass, m);
    }

    private static Method find(Class<?> c, boolean withArgs) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            try {
                Method m = withArgs ? k.getDeclaredMethod("main", String[].class) : k.getDeclaredMethod("main");
                if (!Modifier.isPrivate(m.getModifiers()) && m.getReturnType() == void.class) {
                    return m;
                }
            } catch (NoSuchMethodException e) {
                // not declared here: look in the superclass
            }
        }
        return null;
    }

    /** Runs the entry point; throws what it throws (unwrapped). */
    void invoke(String[] args) throws Throwable {
        try {
            Object target = null;
            if (!Modifier.isStatic(method.getModifiers())) {
                var ctor = mainClass.getDeclaredConstructor();
                ctor.setAccessible(true);
                target = ctor.newInstance();
            }
            if (method.getParameterCount() == 1) {
                method.invoke(target, (Object) args);
            } else {
                method.invoke(target);
            }
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Cuts the frames below the entry point from {@code t}'s stack trace (the reflection and
     * the host that called it), so that it prints as under {@code java}.
     */
    void trimStackTrace(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        for (int i = st.length - 1; i >= 0; i--) {
            if (st[i].getClassName().equals(method.getDeclaringClass().getName()) && st[i].getMethodName().equals("main")) {
                t.setStackTrace(Arrays.copyOf(st, i + 1));
                return;
            }
        }
    }
}
