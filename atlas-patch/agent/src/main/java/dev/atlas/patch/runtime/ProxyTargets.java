package dev.atlas.patch.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/**
 * Runs a method a patch added on the object a subclass proxy stands for, not on the proxy.
 *
 * <p>A proxy made by subclassing (Spring's CGLIB proxies for {@code @Cacheable},
 * {@code @Transactional}, scoped beans) was generated from the class as it was loaded: it
 * overrides the methods the class had then, each forwarding to the target object, so a
 * changed body runs on the target through the method's own entry guard. A method the patch
 * adds has no override in the proxy; without this class it would run with the proxy as
 * {@code this}, whose fields are the proxy's own, never initialised copies. A call of an
 * added instance method is therefore linked as:
 * {@snippet lang=text :
 *   receiver.getClass() == declaring class (or not a recognised proxy) -> body(receiver, args..)
 *   else -> body(target(receiver), args..)     // target released afterwards if its source asks for it
 * }
 *
 * <p>Recognised proxies:
 * <ol>
 *   <li>classes implementing Spring's {@code org.springframework.aop.framework.Advised} (every
 *       Spring AOP proxy, CGLIB or JDK, unless configured {@code opaque}); the target comes from
 *       {@code getTargetSource().getTarget()} and is handed back with {@code releaseTarget} when the
 *       target source is not static (pooled or prototype targets). Looked up by name through the
 *       proxy's own class, so the agent has no dependency on Spring;</li>
 *   <li>Spring AOP CGLIB proxies configured {@code opaque} (they implement {@code SpringProxy} and
 *       CGLIB's {@code Factory}, not {@code Advised}): the target source is read from the proxy's
 *       callback that holds Spring's {@code AdvisedSupport} (CGLIB's {@code getCallbacks()}, then the
 *       callback's {@code AdvisedSupport} field), then as for {@code Advised};</li>
 *   <li>Hibernate's lazy entity proxies (they implement {@code org.hibernate.proxy.HibernateProxy}):
 *       the target is {@code getHibernateLazyInitializer().getImplementation()}, which loads the entity
 *       if the proxy was not initialised yet, as a call of any of the entity's methods on the proxy
 *       does (and fails as that call would, e.g. {@code LazyInitializationException} with no open
 *       session);</li>
 *   <li>Byte Buddy subclass proxies that delegate to a target held in a field (the pattern of
 *       {@code subclass(T).defineField("target", T.class).method(..).intercept(MethodDelegation.toField("target"))}):
 *       a class named by Byte Buddy's default naming strategy ({@code T$ByteBuddy$<random>}) that
 *       declares exactly one instance field whose type is its superclass or one of that class's
 *       supertypes (other than {@code Object}); the target is that field's value. A Byte Buddy class
 *       with no such field (a Mockito spy, which copies the spied object's fields into itself) runs
 *       added methods on itself, with its own fields, as it runs every other method.</li>
 * </ol>
 * A JDK dynamic proxy implements interfaces only: a default method a patch adds to an interface
 * runs with the proxy as {@code this}, so its calls of the interface's methods go through the
 * proxy's {@code InvocationHandler} (whose advice applies to those calls, not to the added method
 * itself).
 *
 * <p>Implementation notes: the check for a plain receiver is one {@code getClass()} compare, then a
 * {@link ClassValue} probe; proxies take a generic path ({@code invokeWithArguments}), slower by
 * a few hundred nanoseconds per call. Threading: stateless apart from the {@link ClassValue}, which
 * is safe for any thread.
 */
final class ProxyTargets {
    private ProxyTargets() {}

    private static final String ADVISED = "org.springframework.aop.framework.Advised";
    private static final String SPRING_PROXY = "org.springframework.aop.SpringProxy";
    private static final String CGLIB_FACTORY = "org.springframework.cglib.proxy.Factory";
    private static final String ADVISED_SUPPORT = "org.springframework.aop.framework.AdvisedSupport";
    private static final String TARGET_SOURCE = "org.springframework.aop.TargetSource";
    private static final String HIBERNATE_PROXY = "org.hibernate.proxy.HibernateProxy";
    private static final String BYTE_BUDDY_NAME = "$ByteBuddy$";
    private static final MethodHandle IS_PROXY;
    private static final MethodHandle CALL_ON_TARGET;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            IS_PROXY = l.findStatic(ProxyTargets.class, "isProxy",
                    MethodType.methodType(boolean.class, Class.class, Object.class));
            CALL_ON_TARGET = l.findStatic(ProxyTargets.class, "callOnTarget",
                    MethodType.methodType(Object.class, MethodHandle.class, Object[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * How to reach the target of one proxy class. Spring: {@code Advised.getTargetSource()} and the
     * TargetSource's methods ({@code isStatic} and {@code releaseTarget} non-null); a delegate field:
     * {@code targetSource} is the identity and {@code getTarget} the field's getter.
     */
    private record Access(MethodHandle targetSource, MethodHandle getTarget, MethodHandle isStatic,
                          MethodHandle releaseTarget) {
    }

    private static final ClassValue<Access> ACCESS = new ClassValue<>() {
        @Override
        protected Access computeValue(Class<?> type) {
            Class<?> advised = findInterface(type, ADVISED);
            if (advised == null) {
                Class<?> hibernate = findInterface(type, HIBERNATE_PROXY);
                if (hibernate != null) {
                    return hibernateProxy(type, hibernate);
                }
                Class<?> factory = findInterface(type, CGLIB_FACTORY);
                if (factory != null && findInterface(type, SPRING_PROXY) != null) {
                    return opaqueSpringProxy(type, factory);
                }
                return type.getName().contains(BYTE_BUDDY_NAME) ? delegateField(type) : null;
            }
            try {
                Method ts = advised.getMethod("getTargetSource");
                Class<?> source = ts.getReturnType();
                MethodHandles.Lookup l = MethodHandles.publicLookup();
                return new Access(l.unreflect(ts), l.unreflect(source.getMethod("getTarget")),
                        l.unreflect(source.getMethod("isStatic")),
                        l.unreflect(source.getMethod("releaseTarget", Object.class)));
            } catch (ReflectiveOperationException | SecurityException e) {
                throw new IllegalStateException(type.getName() + " implements " + ADVISED + " but its target "
                        + "cannot be reached: " + e, e);
            }
        }
    };

    /** {@code getHibernateLazyInitializer()} and its {@code getImplementation()}. */
    private static Access hibernateProxy(Class<?> type, Class<?> hibernateProxy) {
        try {
            Method li = hibernateProxy.getMethod("getHibernateLazyInitializer");
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            return new Access(l.unreflect(li), l.unreflect(li.getReturnType().getMethod("getImplementation")), null, null);
        } catch (ReflectiveOperationException | SecurityException e) {
            throw new IllegalStateException(type.getName() + " implements " + HIBERNATE_PROXY + " but its target "
                    + "cannot be reached: " + e, e);
        }
    }

    /**
     * An opaque Spring CGLIB proxy: its {@code TargetSource} comes from the {@code AdvisedSupport} held by one of its
     * callbacks ({@link #opaqueTargetSource}).
     */
    private static Access opaqueSpringProxy(Class<?> type, Class<?> factory) {
        try {
            Class<?> source = Class.forName(TARGET_SOURCE, false, factory.getClassLoader());
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            MethodHandle callbacks = l.unreflect(factory.getMethod("getCallbacks"))
                    .asType(MethodType.methodType(Object[].class, Object.class));
            MethodHandle ts = MethodHandles.insertArguments(MethodHandles.lookup().findStatic(ProxyTargets.class,
                    "opaqueTargetSource", MethodType.methodType(Object.class, Class.class, MethodHandle.class,
                            Object.class)), 0, type, callbacks);
            return new Access(ts, l.unreflect(source.getMethod("getTarget")), l.unreflect(source.getMethod("isStatic")),
                    l.unreflect(source.getMethod("releaseTarget", Object.class)));
        } catch (ReflectiveOperationException | SecurityException e) {
            throw new IllegalStateException(type.getName() + " is an opaque Spring proxy whose target cannot be "
                    + "reached: " + e, e);
        }
    }

    /**
     * The {@code TargetSource} of an opaque Spring CGLIB proxy: the first of its callbacks that declares a field of
     * type {@code AdvisedSupport} (Spring's {@code DynamicAdvisedInterceptor}, field {@code advised}) gives it.
     */
    private static Object opaqueTargetSource(Class<?> type, MethodHandle callbacks, Object proxy) throws Throwable {
        for (Object cb : (Object[]) callbacks.invokeExact(proxy)) {
            if (cb == null) {
                continue;
            }
            MethodHandle targetSource = CALLBACK_TARGET_SOURCE.get(cb.getClass()).orElse(null);
            if (targetSource != null) {
                return targetSource.invokeExact(cb);
            }
        }
        throw new IllegalStateException("the opaque Spring proxy " + type.getName() + " has no callback holding its "
                + ADVISED_SUPPORT + ", so the method a patch added cannot run on its target");
    }

    /**
     * Per callback class: {@code (Object callback) -> callback.<AdvisedSupport field>.getTargetSource()}, or
     * empty when the class declares no such field. Found once per class, not on every call.
     */
    private static final ClassValue<java.util.Optional<MethodHandle>> CALLBACK_TARGET_SOURCE = new ClassValue<>() {
        @Override
        protected java.util.Optional<MethodHandle> computeValue(Class<?> callback) {
            for (java.lang.reflect.Field f : callback.getDeclaredFields()) {
                if (!java.lang.reflect.Modifier.isStatic(f.getModifiers()) && isA(f.getType(), ADVISED_SUPPORT)) {
                    try {
                        MethodHandle advised = MethodHandles.privateLookupIn(callback, MethodHandles.lookup())
                                .unreflectGetter(f);
                        MethodHandle getTargetSource = MethodHandles.publicLookup()
                                .unreflect(f.getType().getMethod("getTargetSource"));
                        return java.util.Optional.of(MethodHandles.filterReturnValue(advised, getTargetSource)
                                .asType(MethodType.methodType(Object.class, Object.class)));
                    } catch (ReflectiveOperationException | SecurityException e) {
                        throw new IllegalStateException(callback.getName() + "." + f.getName() + " holds the "
                                + ADVISED_SUPPORT + " of an opaque Spring proxy, but it cannot be read: " + e, e);
                    }
                }
            }
            return java.util.Optional.empty();
        }
    };

    private static boolean isA(Class<?> c, String name) {
        for (; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The single delegate field of a Byte Buddy subclass proxy, or null when it has none or several. */
    private static Access delegateField(Class<?> type) {
        Class<?> sup = type.getSuperclass();
        java.lang.reflect.Field found = null;
        java.lang.reflect.Field[] fields;
        try {
            fields = type.getDeclaredFields();
        } catch (LinkageError | SecurityException e) {
            return null;
        }
        for (java.lang.reflect.Field f : fields) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || f.getType() == Object.class
                    || !f.getType().isAssignableFrom(sup)) {
                continue;
            }
            if (found != null) {
                return null;   // two candidates: not a plain delegating proxy
            }
            found = f;
        }
        if (found == null) {
            return null;
        }
        try {
            MethodHandle getter = MethodHandles.privateLookupIn(type, MethodHandles.lookup()).unreflectGetter(found)
                    .asType(MethodType.methodType(Object.class, Object.class));
            return new Access(MethodHandles.identity(Object.class), getter, null, null);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;   // a field Atlas may not read: the proxy is treated as a plain subclass
        }
    }

    private static Class<?> findInterface(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(name)) {
                    return i;
                }
                Class<?> deeper = findInterface(i, name);
                if (deeper != null) {
                    return deeper;
                }
            }
        }
        return null;
    }

    /**
     * {@code body} (O self, P..)R, made to run on the proxied object when {@code self} is a
     * recognised proxy of {@code declaring}.
     */
    static MethodHandle onTarget(Class<?> declaring, MethodHandle body) {
        MethodType type = body.type();
        MethodHandle generic = body.asType(type.generic());
        MethodHandle proxied = MethodHandles.insertArguments(CALL_ON_TARGET, 0, generic)
                .asCollector(Object[].class, type.parameterCount()).asType(type);
        MethodHandle test = MethodHandles.insertArguments(IS_PROXY, 0, declaring)
                .asType(MethodType.methodType(boolean.class, type.parameterType(0)));
        return MethodHandles.guardWithTest(test, proxied, body);
    }

    static boolean isProxy(Class<?> declaring, Object self) {
        Class<?> c = self == null ? declaring : self.getClass();
        return c != declaring && ACCESS.get(c) != null;
    }

    private static Object callOnTarget(MethodHandle body, Object[] args) throws Throwable {
        Access a = ACCESS.get(args[0].getClass());
        Object source = a.targetSource.invoke(args[0]);
        Object target = a.getTarget.invoke(source);
        if (target == null) {
            throw new IllegalStateException("the proxy " + args[0].getClass().getName() + " has no target object "
                    + "to run a method added by a patch on");
        }
        args[0] = target;
        try {
            return body.invokeWithArguments(args);
        } finally {
            if (a.isStatic != null && !(boolean) a.isStatic.invoke(source)) {
                a.releaseTarget.invoke(source, target);
            }
        }
    }
}
