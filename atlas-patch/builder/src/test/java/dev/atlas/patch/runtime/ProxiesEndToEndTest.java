package dev.atlas.patch.runtime;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.build.BuildOptions;
import dev.atlas.patch.build.PatchBuilder;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.MethodCall;
import net.bytebuddy.matcher.ElementMatchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * New and changed methods of an object behind a proxy that was generated from the old build:
 * a Byte Buddy subclass proxy delegating to a target in a field, and a JDK dynamic proxy over
 * an interface whose {@link InvocationHandler} adds advice and delegates to the target.
 * (Spring's CGLIB proxies: {@code SpringBootTomcatIT} in atlas-it-servers.)
 */
class ProxiesEndToEndTest {
    static final Duration LONG = Duration.ofSeconds(30);

    static final Map<String, String> V1 = Map.of(
            "shop.Greeter", """
                    package shop;
                    public interface Greeter {
                        String greet(String who);
                    }
                    """,
            "shop.Counter", """
                    package shop;
                    public class Counter implements Greeter {
                        private final String prefix;
                        public Counter() { this("hello"); }
                        public Counter(String prefix) { this.prefix = prefix; }
                        public String greet(String who) { return prefix + " " + who; }
                    }
                    """,
            "shop.Front", """
                    package shop;
                    public class Front {
                        public static String call(Counter c, String who) { return c.greet(who); }
                        public static String viaInterface(Greeter g, String who) { return g.greet(who); }
                    }
                    """);
    static final Map<String, String> V2 = Map.of(
            "shop.Greeter", V1.get("shop.Greeter"),
            "shop.Counter", """
                    package shop;
                    import java.util.concurrent.atomic.AtomicInteger;
                    public class Counter implements Greeter {
                        private final String prefix;
                        private final AtomicInteger served = new AtomicInteger();
                        public Counter() { this("hello"); }
                        public Counter(String prefix) { this.prefix = prefix; }
                        public String greet(String who) { return prefix + ", " + who; }
                        public String prefix() { return prefix; }
                        public int served() { return served.incrementAndGet(); }
                    }
                    """,
            "shop.Front", """
                    package shop;
                    public class Front {
                        public static String call(Counter c, String who) { return c.greet(who) + " " + c.prefix() + " " + c.served(); }
                        public static String viaInterface(Greeter g, String who) { return g.greet(who) + "!"; }
                    }
                    """);

    final PatchPipeline pipeline = new PatchPipeline(new CodeViews(), dev.atlas.patch.jit.JitPriorityWindow.off());
    final CodeViews code = pipeline.views();

    @AfterEach
    void rollbackAll() throws Exception {
        while (!code.applied().isEmpty()) {
            pipeline.rollback().migration().await(LONG);
        }
    }

    private ClassLoader v1Loader(Path tmp, String name) throws Exception {
        Path d1 = Fixtures.compile(tmp.resolve("v1"), V1);
        return new InstrumentingLoader(name, PatchEndToEndTest.classesOf(d1), new ClassSelector(List.of("shop.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
    }

    private void applyV2(Path tmp) throws Exception {
        Path d1 = tmp.resolve("v1");
        Path d2 = Fixtures.compile(tmp.resolve("v2"), V2);
        var result = PatchBuilder.diff(d1, d2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        pipeline.apply(result.patchOrThrow()).migration().await(LONG);
    }

    /**
     * A Byte Buddy subclass of Counter made before the patch, forwarding every method of Counter to
     * the target in its field: the changed method runs on the target (through the proxy's forwarding),
     * and so do the added ones (they read the target's prefix and count in the target's new field),
     * although the proxy class has no override of them.
     */
    @Test
    void addedAndChangedMethodsCalledThroughAByteBuddyProxyRunOnItsTarget(@TempDir Path tmp) throws Exception {
        ClassLoader loader = v1Loader(tmp, "shop-bytebuddy");
        Class<?> counter = loader.loadClass("shop.Counter");
        Class<?> front = loader.loadClass("shop.Front");
        Object target = counter.getConstructor(String.class).newInstance("hi");
        Class<?> proxyClass = new ByteBuddy().subclass(counter)
                .defineField("target", counter, Visibility.PUBLIC)
                .method(ElementMatchers.isDeclaredBy(counter))
                .intercept(MethodCall.invokeSelf().onField("target").withAllArguments())
                .make()
                .load(loader, ClassLoadingStrategy.UsingLookup.of(MethodHandles.privateLookupIn(counter, MethodHandles.lookup())))
                .getLoaded();
        Object proxy = proxyClass.getConstructor().newInstance();   // its own prefix is "hello"
        proxyClass.getField("target").set(proxy, target);
        assertEquals("hi bob", call(front, "call", proxy, "bob"));

        applyV2(tmp);
        assertEquals("hi, bob hi 1", call(front, "call", proxy, "bob"), "added methods on the proxy run on the target");
        assertEquals("hi, ann hi 2", call(front, "call", target, "ann"), "the target counted the proxy's call");
        Object plain = counter.getConstructor().newInstance();
        assertEquals("hello, cy hello 1", call(front, "call", plain, "cy"), "a plain object is its own target");
    }

    /**
     * A JDK dynamic proxy over Greeter, made before the patch, whose handler brackets every result
     * and delegates to a Counter: the changed method runs on the target, with the handler's advice.
     * (A JDK proxy has only its interfaces' loaded methods: a method a patch adds to an interface
     * runs its default body on the proxy, without the handler; {@code InterfaceMethodPatchTest}.)
     */
    @Test
    void aJdkProxysHandlerStillAppliesToAChangedMethodOfItsTarget(@TempDir Path tmp) throws Exception {
        ClassLoader loader = v1Loader(tmp, "shop-jdkproxy");
        Class<?> greeter = loader.loadClass("shop.Greeter");
        Class<?> counter = loader.loadClass("shop.Counter");
        Class<?> front = loader.loadClass("shop.Front");
        Object target = counter.getConstructor(String.class).newInstance("hey");
        List<String> advised = new CopyOnWriteArrayList<>();
        InvocationHandler handler = (p, m, args) -> {
            advised.add(m.getName());
            return "[" + m.invoke(target, args) + "]";
        };
        Object proxy = Proxy.newProxyInstance(loader, new Class<?>[] {greeter}, handler);
        assertEquals("[hey amy]", call(front, "viaInterface", proxy, "amy"));

        applyV2(tmp);
        assertEquals("[hey, amy]!", call(front, "viaInterface", proxy, "amy"));
        assertEquals(List.of("greet", "greet"), advised);
        assertEquals("hey, amy!", call(front, "viaInterface", target, "amy"), "on the target: no advice");
    }

    private static Object call(Class<?> c, String name, Object... args) throws Exception {
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                return m.invoke(null, args);
            }
        }
        throw new NoSuchMethodException(name);
    }
}
