package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builder output applied by the runtime: the links the builder emits (super calls,
 * protected members of another package, added methods, new static fields, the transfer
 * hook) and renumbered, changed and added anonymous classes, checked by behaviour.
 */
class LinkedPatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String V1 = """
            package lk;
            import java.util.*;
            public class Named extends AbstractList<String> {
                private final List<String> items = new ArrayList<>(List.of("a", "b", "c"));
                static int LIMIT;
                static { LIMIT = 5; }
                public String get(int i) { return items.get(i); }
                public int size() { return items.size(); }
                public String toString() { return "named"; }
                public int dropFirst() { return size(); }
                public Object shape() { return new Object() { public String toString() { return "one"; } }; }
                public Object other() { return new Object() { public String toString() { return "two"; } }; }
                public static int limit() { return LIMIT; }
            }
            """;
    static final String V2 = """
            package lk;
            import java.util.*;
            public class Named extends AbstractList<String> {
                private final List<String> items = new ArrayList<>(List.of("a", "b", "c"));
                static int LIMIT;
                static String NAME = "n".toUpperCase();
                static { LIMIT = 7; }
                static void atlas$transfer() { LIMIT = 7; }
                public String get(int i) { return items.get(i); }
                public int size() { return items.size(); }
                public String toString() { return "named:" + super.toString(); }
                public int dropFirst() { items.remove(0); modCount++; removeRange(0, 0); return size() + mods(); }
                private int mods() { return modCount; }
                public Object zero() { return new Object() { public String toString() { return "zero"; } }; }
                public Object shape() { return new Object() { public String toString() { return "one"; } }; }
                public Object other() { return zero() + "/" + new Object() { public String toString() { return "TWO"; } }; }
                public static int limit() { return LIMIT * 10 + name().length(); }
                static String name() { return NAME + LIMIT; }
            }
            """;


    @Test
    void linkedNewCodeRunsLikeTheNewBuild(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("lk.Named", V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("lk.Named", V2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();
        ClassPatch cp = patch.classes().getFirst();
        assertEquals(List.of("lk/Named"), patch.classes().stream().map(ClassPatch::className).toList());
        assertEquals(List.of("toString", "dropFirst", "other", "limit", "atlas$transfer", "mods", "zero", "name",
                        "atlas$initializeAddedStatics"),
                cp.methods().stream().map(m -> m.name()).toList(), "shape() only had its class renumbered; NAME is "
                        + "valued by the new initialiser's statement through its holder (AddedStatics)");
        assertEquals(3, patch.addedClasses().size(), patch.addedClasses()::toString);

        ClassLoader loader = new InstrumentingLoader("lk-linked", Fixtures.classes(v1),
                new ClassSelector(List.of("lk.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> named = loader.loadClass("lk.Named");
        Object n = named.getConstructor().newInstance();
        assertEquals("named", call(named, n, "toString"));
        assertEquals(3, call(named, n, "dropFirst"));
        assertEquals(5, call(named, null, "limit"));

        pipeline.apply(patch).migration().await(LONG);
        assertEquals("named:[a, b, c]", call(named, n, "toString"), "super call through linkSuper");
        assertEquals(3, call(named, n, "dropFirst"), "2 items left + modCount 1, through linkVirtual and linkAdded");
        assertEquals(72, call(named, null, "limit"), "transfer hook ran (LIMIT 7), new static field NAME initialised ('N7')");
        assertEquals("one", call(named, n, "shape").toString(), "renumbered anonymous class unchanged");
        assertEquals("zero/TWO", call(named, n, "other"), "added anonymous classes");

        pipeline.rollback().migration().await(LONG);
        assertEquals("named", call(named, n, "toString"));
        assertTrue(call(named, n, "other").toString().equals("two"));
    }

    /** Calls the declared method {@code name} with {@code args.length} parameters (shared by the patch tests of this package). */
    static Object call(Class<?> c, Object target, String name, Object... args) throws Exception {
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                return m.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(name);
    }

    static final String NEST_V1 = """
            package lk;
            public class Outer {
                enum Mode { FAST, SLOW }
                private int secret = 41;
                private String hidden() { return "h"; }
                private static String shh() { return "s"; }
                public String show(Mode m) { return m.name(); }
            }
            """;
    static final String NEST_V2 = """
            package lk;
            public class Outer {
                enum Mode { FAST, SLOW }
                private int secret = 41;
                private String hidden() { return "h"; }
                private static String shh() { return "s"; }
                public String show(Mode m) {
                    String code = switch (m) { case FAST -> "f"; case SLOW -> "s"; };
                    Object peek = new Object() {
                        public String toString() { secret++; return hidden() + shh() + secret; }
                    };
                    return code + ":" + peek;
                }
            }
            """;

    @Test
    void addedAnonymousClassesReachPrivateMembersOfTheirOuterClass(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("lk.Outer", NEST_V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("lk.Outer", NEST_V2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();
        List<String> indys = patch.addedClasses().stream().flatMap(a -> DiffHarness.indys(a.bytes()).stream()).toList();
        assertTrue(indys.contains("linkVirtual secret (Llk/Outer;)I [lk/Outer, lk/Outer, 1]"), indys::toString);
        assertTrue(indys.contains("linkVirtual hidden (Llk/Outer;)Ljava/lang/String; [lk/Outer, lk/Outer, 0]"), indys::toString);
        assertTrue(indys.contains("linkVirtual shh ()Ljava/lang/String; [lk/Outer, lk/Outer, 3]"), indys::toString);

        ClassLoader loader = new InstrumentingLoader("lk-nest", Fixtures.classes(v1),
                new ClassSelector(List.of("lk.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> outer = loader.loadClass("lk.Outer");
        Class<?> mode = loader.loadClass("lk.Outer$Mode");
        Object fast = mode.getEnumConstants()[0];
        Object o = outer.getDeclaredConstructor().newInstance();
        assertEquals("FAST", call(outer, o, "show", fast));
        pipeline.apply(patch).migration().await(LONG);
        assertEquals("f:hs42", call(outer, o, "show", fast), "switch map class added; private members reached");
        assertEquals("s:hs43", call(outer, o, "show", mode.getEnumConstants()[1]));
    }

    @Test
    void newPrivateNestedClassesAndRecordsWork(@TempDir Path tmp) throws Exception {
        String v1 = """
                package lk;
                public class Host {
                    public int total() { return 0; }
                }
                """;
        String v2 = """
                package lk;
                public class Host {
                    private record Pair(int a, int b) { }
                    private static class Box {
                        private int v;
                        private Box(int v) { this.v = v; }
                        private int twice() { return 2 * v; }
                    }
                    public int total() {
                        Pair p = new Pair(1, 2);
                        Box b = new Box(3);
                        b.v++;
                        return p.a() + p.b() + b.v + b.twice() + (p.equals(new Pair(1, 2)) ? 100 : 0);
                    }
                }
                """;
        Path old = Fixtures.compile(tmp.resolve("v1"), Map.of("lk.Host", v1));
        Path neu = Fixtures.compile(tmp.resolve("v2"), Map.of("lk.Host", v2));
        BuildResult result = PatchBuilder.diff(old, neu, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        ClassLoader loader = new InstrumentingLoader("lk-private", Fixtures.classes(old),
                new ClassSelector(List.of("lk.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> host = loader.loadClass("lk.Host");
        Object h = host.getConstructor().newInstance();
        pipeline.apply(result.patchOrThrow()).migration().await(LONG);
        assertEquals(1 + 2 + 4 + 8 + 100, call(host, h, "total"));
    }
}
