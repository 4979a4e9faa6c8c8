package dev.atlas.patch.runtime;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.build.BuildOptions;
import dev.atlas.patch.build.PatchBuilder;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Builder and runtime together: two builds of a small application, a patch built by
 * {@link PatchBuilder} and written to a file, applied to the first build running in an
 * instrumented loader: a bug fix through a new private method, a new instance field with
 * an initialiser (a shadow field), a new static field, a lambda, and a new class.
 */
class PatchEndToEndTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String V1 = """
            package shop;
            import java.util.HashMap;
            import java.util.Map;
            public class Catalog {
                private final Map<String, Integer> prices = new HashMap<>(Map.of("apple", 100, "pear", 250));
                public int price(String item, int qty) { return prices.getOrDefault(item, 0) * qty; }
                public String quote(String item, int qty) { return item + "=" + price(item, qty); }
                public static String version() { return "v1"; }
            }
            """;
    static final String V2 = """
            package shop;
            import java.util.HashMap;
            import java.util.Map;
            import java.util.concurrent.atomic.AtomicLong;
            import java.util.function.Supplier;
            public class Catalog {
                private final Map<String, Integer> prices = new HashMap<>(Map.of("apple", 100, "pear", 250));
                private final AtomicLong quotes = new AtomicLong();
                static int hits;
                public int price(String item, int qty) { return discount(prices.getOrDefault(item, 0) * qty, qty); }
                private int discount(int total, int qty) { return qty >= 10 ? total * 9 / 10 : total; }
                public String quote(String item, int qty) {
                    quotes.incrementAndGet();
                    hits++;
                    Supplier<String> s = () -> item + "=" + price(item, qty) + " #" + quotes.get();
                    return new Brackets().wrap(s.get());
                }
                public static String version() { return "v2"; }
                public static int hits() { return hits; }
            }
            class Brackets { String wrap(String s) { return "[" + s + "]"; } }
            """;


    @Test
    void aBuiltPatchFixesTheBugAddsStateAndRollsBackKeepingTheState(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("shop.Catalog", V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("shop.Catalog", V2));
        var result = PatchBuilder.diff(v1, v2, BuildOptions.defaults().withDescription("fix bulk price, count quotes"));
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Path file = tmp.resolve("fix.atlaspatch");
        PatchFile.write(result.patchOrThrow(), file);
        Patch patch = PatchFile.read(file);

        ClassLoader loader = new InstrumentingLoader("shop-e2e", classesOf(v1),
                new ClassSelector(List.of("shop.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> catalog = loader.loadClass("shop.Catalog");
        Object a = catalog.getConstructor().newInstance();
        Object b = catalog.getConstructor().newInstance();
        assertEquals("v1", call(catalog, null, "version"));
        assertEquals(1000, call(catalog, a, "price", "apple", 10));
        assertEquals("apple=100", call(catalog, a, "quote", "apple", 1));

        PatchApplication applied = pipeline.apply(patch);
        applied.migration().await(LONG);
        assertEquals("v2", call(catalog, null, "version"));
        assertEquals(900, call(catalog, a, "price", "apple", 10), "bug fixed through the new private method");
        assertEquals("[apple=100 #1]", call(catalog, a, "quote", "apple", 1));
        assertEquals("[apple=100 #2]", call(catalog, a, "quote", "apple", 1), "the new field keeps its value per object");
        assertEquals("[pear=250 #1]", call(catalog, b, "quote", "pear", 1), "another object has its own value");
        assertTrue(applied.shadowFields() >= 2, "quotes and hits are shadow fields: " + applied);

        pipeline.rollback().migration().await(LONG);
        assertEquals("v1", call(catalog, null, "version"));
        assertEquals("apple=100", call(catalog, a, "quote", "apple", 1));

        pipeline.apply(patch).migration().await(LONG);
        assertEquals("[apple=100 #3]", call(catalog, a, "quote", "apple", 1), "state survives rollback and re-apply");
    }

    @Test
    void aNewFieldInAClassWithOnlyAConstructorIsAccepted(@TempDir Path tmp) throws Exception {
        String order = """
                package shop;
                public class Order {
                    final Item item = new Item("apple", 2);
                    public String show() { return item.name + " x" + item.qty; }
                }
                class Item {
                    final String name;
                    final int qty;
                    Item(String name, int qty) { this.name = name; this.qty = qty; }
                }
                """;
        String order2 = order.replace("final int qty;", "final int qty;\n    String note = \"fresh\";")
                .replace("item.name + \" x\" + item.qty", "item.name + \" x\" + item.qty + \" \" + item.note");
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("shop.Order", order));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("shop.Order", order2));
        var result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        ClassLoader loader = new InstrumentingLoader("shop-data-class", classesOf(v1),
                new ClassSelector(List.of("shop.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> orders = loader.loadClass("shop.Order");
        Object o = orders.getConstructor().newInstance();
        assertEquals("apple x2", call(orders, o, "show"));
        pipeline.apply(result.patchOrThrow()).migration().await(LONG);
        assertEquals("apple x2 fresh", call(orders, o, "show"), "the data class (no method of its own) got its new field");
        assertEquals("apple x2 fresh", call(orders, orders.getConstructor().newInstance(), "show"));
    }

    @Test
    void aNewFieldWhoseTypeIsAClassThePatchAddsWorks(@TempDir Path tmp) throws Exception {
        String cart = """
                package shop;
                public class Cart {
                    public String show() { return "cart"; }
                }
                """;
        String cart2 = """
                package shop;
                public class Cart {
                    private final Tally tally = new Tally();
                    private Tally spare;
                    public String show() {
                        if (spare == null) { spare = new Tally(); }
                        return "cart " + tally.next() + "/" + spare.next();
                    }
                }
                class Tally { private int n; int next() { return ++n; } }
                """;
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("shop.Cart", cart));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("shop.Cart", cart2));
        var result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Path file = tmp.resolve("tally.atlaspatch");
        PatchFile.write(result.patchOrThrow(), file);
        ClassLoader loader = new InstrumentingLoader("shop-added-field-type", classesOf(v1),
                new ClassSelector(List.of("shop.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> carts = loader.loadClass("shop.Cart");
        Object c = carts.getConstructor().newInstance();
        assertEquals("cart", call(carts, c, "show"));
        pipeline.apply(PatchFile.read(file)).migration().await(LONG);
        assertEquals("cart 1/1", call(carts, c, "show"));
        assertEquals("cart 2/2", call(carts, c, "show"), "both new fields of the added type keep their values");
    }

    @Test
    void patchedFramesKeepTheirSourceFileAndLineNumbers(@TempDir Path tmp) throws Exception {
        String v1 = """
                package shop;
                public class Fail {
                    public int run(int x) {
                        return x;
                    }
                }
                """;
        String v2 = """
                package shop;
                public class Fail {
                    public int run(int x) {
                        if (x < 0) {
                            throw new IllegalArgumentException("negative " + x);
                        }
                        return helper(x);
                    }
                    private int helper(int x) {
                        return 10 / x;
                    }
                }
                """;
        Path d1 = Fixtures.compile(tmp.resolve("v1"), Map.of("shop.Fail", v1));
        Path d2 = Fixtures.compile(tmp.resolve("v2"), Map.of("shop.Fail", v2));
        var result = PatchBuilder.diff(d1, d2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        ClassLoader loader = new InstrumentingLoader("shop-lines", classesOf(d1),
                new ClassSelector(List.of("shop.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> fail = loader.loadClass("shop.Fail");
        Object f = fail.getConstructor().newInstance();
        pipeline.apply(result.patchOrThrow()).migration().await(LONG);
        Throwable negative = assertThrows(java.lang.reflect.InvocationTargetException.class, () -> call(fail, f, "run", -1)).getCause();
        assertInstanceOf(IllegalArgumentException.class, negative);
        Throwable zero = assertThrows(java.lang.reflect.InvocationTargetException.class, () -> call(fail, f, "run", 0)).getCause();
        assertInstanceOf(ArithmeticException.class, zero);
        assertEquals("Fail.java:5 run", frame(negative, 0), java.util.Arrays.toString(negative.getStackTrace()));
        assertEquals("Fail.java:10 helper", frame(zero, 0), java.util.Arrays.toString(zero.getStackTrace()));
        assertEquals("Fail.java:7 run", frame(zero, 1), java.util.Arrays.toString(zero.getStackTrace()));
    }

    /** "File:line method" of the {@code i}-th frame of {@code t}, the frame's method name without Atlas's body prefix. */
    private static String frame(Throwable t, int i) {
        StackTraceElement e = t.getStackTrace()[i];
        String m = e.getMethodName();
        return e.getFileName() + ":" + e.getLineNumber() + " " + m.substring(m.indexOf('$') + 1);
    }

    static final String V3 = V2
            .replace("qty >= 10 ? total * 9 / 10 : total", "qty >= 10 ? total * 8 / 10 : total")
            .replace("return \"v2\";", "return \"v3/\" + hits;");

    @Test
    void aPatchOnAPatchReachesTheFieldsAndMethodsTheFirstOneAdded(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("shop.Catalog", V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("shop.Catalog", V2));
        Path v3 = Fixtures.compile(tmp.resolve("v3"), Map.of("shop.Catalog", V3));
        Patch first = PatchBuilder.diff(v1, v2, BuildOptions.defaults()).patchOrThrow();
        Patch second = PatchBuilder.diff(v2, v3, BuildOptions.defaults()).patchOrThrow();
        ClassLoader loader = new InstrumentingLoader("shop-stack", classesOf(v1),
                new ClassSelector(List.of("shop.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> catalog = loader.loadClass("shop.Catalog");
        Object a = catalog.getConstructor().newInstance();

        PatchRejectedException e = assertThrows(PatchRejectedException.class, () -> pipeline.apply(second));
        assertTrue(e.getMessage().contains("another version of class shop.Catalog"), e.getMessage());

        pipeline.apply(first).migration().await(LONG);
        assertEquals("[apple=100 #1]", call(catalog, a, "quote", "apple", 1));
        pipeline.apply(second).migration().await(LONG);
        assertEquals(800, call(catalog, a, "price", "apple", 10), "the changed added method");
        assertEquals("[apple=100 #2]", call(catalog, a, "quote", "apple", 1), "the first patch's code and field");
        assertEquals("v3/2", call(catalog, null, "version"), "the first patch's static field, read by the second");

        pipeline.rollback().migration().await(LONG);
        assertEquals(900, call(catalog, a, "price", "apple", 10), "back to the first patch's added method");
        assertEquals("[apple=100 #3]", call(catalog, a, "quote", "apple", 1));
        pipeline.rollback().migration().await(LONG);
        assertEquals(1000, call(catalog, a, "price", "apple", 10));
    }

    @Test
    void aPatchOnAPatchNamingAClassTheFirstOneAddedIsRefusedClearly(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("shop.Catalog", V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("shop.Catalog", V2));
        Path v3 = Fixtures.compile(tmp.resolve("v3"), Map.of("shop.Catalog", V2.replace("\" #\"", "\" no.\"")));
        Patch first = PatchBuilder.diff(v1, v2, BuildOptions.defaults()).patchOrThrow();
        Patch second = PatchBuilder.diff(v2, v3, BuildOptions.defaults()).patchOrThrow();
        ClassLoader loader = new InstrumentingLoader("shop-stack-class", classesOf(v1),
                new ClassSelector(List.of("shop.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> catalog = loader.loadClass("shop.Catalog");
        Object a = catalog.getConstructor().newInstance();
        pipeline.apply(first).migration().await(LONG);
        var before = code.space().defaultView();
        PatchRejectedException e = assertThrows(PatchRejectedException.class, () -> pipeline.apply(second));
        // shop.Brackets, which the first patch added, is found by its own name now; the first patch's field
        // that the second one's code reaches through a link is not, and the patch is refused there
        assertTrue(Class.forName("shop.Brackets", false, loader).getClassLoader() == loader);
        assertTrue(e.getMessage().contains("'quotes'") && e.getMessage().contains("does not link"), e.getMessage());
        assertSame(before, code.space().defaultView(), "nothing changed");
        assertEquals("[apple=100 #1]", call(catalog, a, "quote", "apple", 1));
        Patch cumulative = PatchBuilder.diff(v1, v3, BuildOptions.defaults()).patchOrThrow();
        pipeline.rollback().migration().await(LONG);
        pipeline.apply(cumulative).migration().await(LONG);
        assertEquals("[apple=100 no.2]", call(catalog, a, "quote", "apple", 1), "a cumulative patch keeps the state");
    }

    /** Internal name -> bytes of the class files under {@code dir} (also used by {@link ProxiesEndToEndTest}). */
    static Map<String, byte[]> classesOf(Path dir) {
        Map<String, byte[]> out = new HashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
                String rel = dir.relativize(p).toString();
                try {
                    out.put(rel.substring(0, rel.length() - 6), Files.readAllBytes(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Object call(Class<?> c, Object target, String name, Object... args) throws Exception {
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                return m.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(name);
    }
}
