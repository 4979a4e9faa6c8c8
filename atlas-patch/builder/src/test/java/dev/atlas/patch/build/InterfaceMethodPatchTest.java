package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.runtime.PatchRejectedException;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Methods the new release adds to an interface, applied live: a new abstract method
 * ({@code label}) with implementations in the build (one new, {@code Any.label}; one the
 * loaded class already had under that name, {@code Exact.size} for the new default
 * {@code size}), new default methods (run for implementations without their own method,
 * an added class included), a static and a private interface method, and an override that
 * moved up into a new default ({@code AbstractMatcher.matchAt}, removed; old callers of it
 * run the default in the new view). Calls from the patch's code and from a class loaded after
 * the apply select on the receiver's class in the calling thread's view; a class outside the
 * build without the new abstract method gets an {@link AbstractMethodError} naming it, or
 * refuses the apply when it is loaded at that time; rollback restores the old release.
 */
class InterfaceMethodPatchTest extends WithOwnPipeline {
    static final String MATCHER_V1 = "package im; public interface Matcher { int match(String s); }";
    static final String MATCHER_V2 = """
            package im;
            public interface Matcher {
                int match(String s);
                String label();
                default int size() { return -1; }
                default int matchAt(String s, int from) { return 100 + match(s.substring(from)); }
                default Matcher andThen(Matcher next) { return new Chain(this, next); }
                static Matcher none() { return new Chain(null, null); }
                private String tag() { return "[" + label() + "]"; }
                default String tagged() { return tag(); }
            }
            """;
    static final String CHAIN = """
            package im;
            final class Chain implements Matcher {
                final Matcher a, b;
                Chain(Matcher a, Matcher b) { this.a = a; this.b = b; }
                public int match(String s) { if (a == null) return 0; int x = a.match(s); return x == 0 ? 0 : x + b.match(s.substring(x)); }
                public String label() { return a == null ? "none" : a.label() + "+" + b.label(); }
            }
            """;
    static final String ABSTRACT_V1 = """
            package im;
            public abstract class AbstractMatcher implements Matcher {
                public int matchAt(String s, int from) { return match(s.substring(from)); }
            }
            """;
    static final String ABSTRACT_V2 = "package im; public abstract class AbstractMatcher implements Matcher { }";
    static final String EXACT_V1 = """
            package im;
            public class Exact extends AbstractMatcher {
                final String w;
                public Exact(String w) { this.w = w; }
                public int match(String s) { return s.startsWith(w) ? w.length() : 0; }
                public int size() { return w.length(); }
            }
            """;
    static final String EXACT_V2 = EXACT_V1.replace("public int size()", "public String label() { return \"exact:\" + w; }\n    public int size()");
    static final String ANY_V1 = "package im; public class Any implements Matcher { public int match(String s) { return s.isEmpty() ? 0 : 1; } }";
    static final String ANY_V2 = ANY_V1.replace("} }", "} public String label() { return \"any\"; } }");
    static final String USE_V1 = """
            package im;
            public class Use {
                public static String use(Matcher m, String s) { return "v1:" + m.match(s); }
                public static int at(AbstractMatcher m, String s) { return m.matchAt(s, 1); }
            }
            """;
    static final String USE_V2 = """
            package im;
            public class Use {
                public static String use(Matcher m, String s) {
                    Matcher c = m.andThen(new Any());
                    return "v2:" + m.match(s) + "/" + m.size() + "/" + m.label() + "/" + m.matchAt(s, 1) + "/" + m.tagged()
                            + " " + c.label() + "=" + c.match(s) + "/" + c.size() + " " + Matcher.none().label();
                }
                public static int at(AbstractMatcher m, String s) { return m.matchAt(s, 1); }
            }
            """;
    /** Outside the build, compiled against the new release, loaded after the apply. */
    static final String LATER = """
            package im;
            public class Later {
                public static String run(Matcher m, Exact e, Any a) {
                    return m.label() + "/" + m.size() + "/" + e.size() + "/" + a.size() + "/" + a.matchAt("xy", 1) + "/" + e.label();
                }
                public static int sizeOf(Matcher m) { return m.size(); }
                public static String none() { return Matcher.none().label(); }
            }
            """;
    /** Outside the build, compiled against the old release: no label(). */
    static final String STRANGER = "package im; public class Stranger implements Matcher { public int match(String s) { return 7; } }";

    /** Outside the build, compiled against the old release: a lambda implementing the (then functional) interface. */
    static final String LAMBDAS = "package im; public class Lambdas { public static Matcher constant(int n) { return s -> n; } }";

    private Path v1;
    private Path v2;
    private Map<String, byte[]> classes;

    private Patch build(Path tmp) throws Exception {
        v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("im.Matcher", MATCHER_V1, "im.AbstractMatcher", ABSTRACT_V1,
                "im.Exact", EXACT_V1, "im.Any", ANY_V1, "im.Use", USE_V1));
        v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("im.Matcher", MATCHER_V2, "im.AbstractMatcher", ABSTRACT_V2,
                "im.Exact", EXACT_V2, "im.Any", ANY_V2, "im.Use", USE_V2, "im.Chain", CHAIN));
        Path later = Fixtures.compile(tmp.resolve("later"), Map.of("im.Matcher", MATCHER_V2, "im.AbstractMatcher", ABSTRACT_V2,
                "im.Exact", EXACT_V2, "im.Any", ANY_V2, "im.Chain", CHAIN, "im.Later", LATER));
        Path stranger = Fixtures.compile(tmp.resolve("stranger"), Map.of("im.Matcher", MATCHER_V1, "im.Stranger", STRANGER,
                "im.Lambdas", LAMBDAS));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("im/Matcher label()Ljava/lang/String;: new abstract interface method")),
                result.notes()::toString);
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("im/AbstractMatcher matchAt(Ljava/lang/String;I)I: overriding method "
                + "removed; in the new view it runs the inherited default method im.Matcher.matchAt")), result.notes()::toString);
        classes = new HashMap<>(Fixtures.classes(v1));
        classes.put("im/Later", Fixtures.classes(later).get("im/Later"));
        classes.put("im/Stranger", Fixtures.classes(stranger).get("im/Stranger"));
        classes.put("im/Lambdas", Fixtures.classes(stranger).get("im/Lambdas"));
        return result.patchOrThrow();
    }

    private ClassLoader loader(String name) {
        return new InstrumentingLoader(name, classes, new ClassSelector(List.of("im.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
    }

    @Test
    void newInterfaceMethodsSelectOnTheReceiverInTheNewViewUntilRollback(@TempDir Path tmp) throws Exception {
        Patch patch = build(tmp);
        ClassLoader loader = loader("im-ifaces");
        Class<?> matcher = loader.loadClass("im.Matcher");
        Class<?> abstractMatcher = loader.loadClass("im.AbstractMatcher");
        Class<?> use = loader.loadClass("im.Use");
        Object exact = loader.loadClass("im.Exact").getConstructor(String.class).newInstance("ab");
        Object any = loader.loadClass("im.Any").getConstructor().newInstance();
        Object lambda = loader.loadClass("im.Lambdas").getMethod("constant", int.class).invoke(null, 3);
        Object proxy = java.lang.reflect.Proxy.newProxyInstance(loader, new Class<?>[] {matcher}, (p, m, a) -> 4);
        Method useM = use.getMethod("use", matcher, String.class);
        Method at = use.getMethod("at", abstractMatcher, String.class);
        assertEquals("v1:2", useM.invoke(null, exact, "abc"));
        assertEquals(0, at.invoke(null, exact, "abc"));

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("v2:2/2/exact:ab/100/[exact:ab] exact:ab+any=3/-1 none", useM.invoke(null, exact, "abc"),
                "Exact's loaded size(), its new label(), the moved matchAt default through the kept override, an added class");
        assertEquals("v2:1/-1/any/101/[any] any+any=2/-1 none", useM.invoke(null, any, "abc"), "Any: the new defaults");
        assertEquals(100, at.invoke(null, exact, "abc"), "a loaded caller of the removed override runs the new default");
        assertThrows(NoSuchMethodException.class, () -> matcher.getMethod("label"), "limit: reflection sees the loaded interface");

        Class<?> later = loader.loadClass("im.Later");
        Method run = later.getMethod("run", matcher, exact.getClass(), any.getClass());
        Method sizeOf = later.getMethod("sizeOf", matcher);
        assertEquals("exact:ab/2/2/-1/101/exact:ab", run.invoke(null, exact, exact, any),
                "invokeinterface and invokevirtual of new interface methods from a class loaded after the apply");
        assertEquals("none", later.getMethod("none").invoke(null), "a new static interface method from a class loaded after the apply");
        assertEquals(-1, sizeOf.invoke(null, lambda), "a lambda made before the apply gets the new default");
        assertEquals(-1, sizeOf.invoke(null, proxy), "limit: a JDK proxy runs the new default (its handler is not asked)");

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        assertEquals("v1:2", useM.invoke(null, exact, "abc"));
        assertEquals(0, at.invoke(null, exact, "abc"));
        Throwable gone = assertThrows(InvocationTargetException.class, () -> run.invoke(null, exact, exact, any)).getCause();
        assertInstanceOf(NoSuchMethodError.class, gone, "after rollback the interface has no such method, as the old release");

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("exact:ab/2/2/-1/101/exact:ab", run.invoke(null, exact, exact, any), "applied again");
        assertEquals("v2:1/-1/any/101/[any] any+any=2/-1 none", useM.invoke(null, any, "abc"));

        Object stranger = loader.loadClass("im.Stranger").getConstructor().newInstance();
        assertEquals(-1, sizeOf.invoke(null, stranger), "a class outside the build loaded after the apply gets the new default");
        Throwable noLabel = assertThrows(InvocationTargetException.class, () -> run.invoke(null, stranger, exact, any)).getCause();
        assertInstanceOf(AbstractMethodError.class, noLabel);
        assertTrue(noLabel.getMessage().startsWith("im.Stranger does not implement im.Matcher.label()Ljava/lang/String;"),
                noLabel.getMessage());
        assertTrue(noLabel.getMessage().contains("remedy: restart on the new release"), noLabel.getMessage());
    }

    /**
     * Threads racing on first calls of new interface methods, on receivers of several classes (each
     * class's selection computed concurrently, then shared): every call gets its class's method.
     */
    @Test
    void concurrentFirstCallsOnManyReceiverClassesEachSelectTheirClasssMethod(@TempDir Path tmp) throws Exception {
        Patch patch = build(tmp);
        ClassLoader loader = loader("im-race");
        Class<?> matcher = loader.loadClass("im.Matcher");
        Object exact = loader.loadClass("im.Exact").getConstructor(String.class).newInstance("abc");
        Object any = loader.loadClass("im.Any").getConstructor().newInstance();
        Object lambda = loader.loadClass("im.Lambdas").getMethod("constant", int.class).invoke(null, 3);
        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        Method sizeOf = loader.loadClass("im.Later").getMethod("sizeOf", matcher);
        Object[] receivers = {exact, any, lambda, exact, any, lambda};
        int[] expected = {3, -1, -1, 3, -1, -1};
        int threads = 4;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<Integer>> wrong = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                wrong.add(pool.submit(() -> {
                    start.await();
                    int bad = 0;
                    for (int i = 0; i < 5_000; i++) {
                        int r = (i + offset) % receivers.length;
                        if ((int) sizeOf.invoke(null, receivers[r]) != expected[r]) {
                            bad++;
                        }
                    }
                    return bad;
                }));
            }
            for (java.util.concurrent.Future<Integer> f : wrong) {
                assertEquals(0, f.get(), "calls that ran another class's method");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLoadedImplementationWithoutTheNewAbstractMethodRefusesTheApply(@TempDir Path tmp) throws Exception {
        Patch patch = build(tmp);
        ClassLoader loader = loader("im-stranger");
        loader.loadClass("im.Exact");
        loader.loadClass("im.Any");
        loader.loadClass("im.Use");
        loader.loadClass("im.Stranger").getConstructor().newInstance();
        PatchRejectedException e = assertThrows(PatchRejectedException.class, () -> pipeline.apply(patch));
        assertTrue(e.getMessage().contains("adds abstract method im.Matcher.label()Ljava/lang/String; to the interface, which "
                + "loaded class im.Stranger implements without it"), e.getMessage());
        assertTrue(e.getMessage().contains("remedy: restart on the new release"), e.getMessage());
    }
}
