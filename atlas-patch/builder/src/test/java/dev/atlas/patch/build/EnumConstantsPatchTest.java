package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Constants a new release adds to an enum (commons-lang3's {@code JavaVersion} gaining
 * {@code JAVA_14} before {@code JAVA_RECENT}): the running constants keep their identity and
 * ordinals, the added ones are created once for the new view with ordinals after them, the new
 * view's {@code values()} has the new release's order, and {@code valueOf}, {@code EnumSet},
 * {@code EnumMap}, switch tables and deserialisation take the added constants.
 */
class EnumConstantsPatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String LEVEL1 = """
            package en;
            public enum Level {
                LOW(1), HIGH(9);
                final int weight;
                Level(int weight) { this.weight = weight; }
                public int weight() { return weight; }
                public static Level of(String s) {
                    switch (s) {
                        case "low": return LOW;
                        case "high": return HIGH;
                        default: return null;
                    }
                }
            }
            """;
    static final String LEVEL2 = LEVEL1.replace("LOW(1), HIGH(9);", "LOW(1), MEDIUM(5), HIGH(9), TOP(10);")
            .replace("case \"high\": return HIGH;", "case \"medium\": return MEDIUM; case \"high\": return HIGH; case \"top\": return TOP;");
    static final String SAY1 = """
            package en;
            public class Say {
                public static String say(Level l) {
                    switch (l) {
                        case LOW: return "low";
                        case HIGH: return "high";
                        default: return "?";
                    }
                }
            }
            """;
    static final String SAY2 = SAY1.replace("case HIGH:", "case MEDIUM: return \"medium\"; case HIGH:");

    static Object call(Class<?> c, String m, Object... args) throws Exception {
        for (var method : c.getMethods()) {
            if (method.getName().equals(m) && method.getParameterCount() == args.length) {
                return method.invoke(null, args);
            }
        }
        throw new NoSuchMethodException(m);
    }

    static List<String> names(Object[] constants) {
        return Arrays.stream(constants).map(x -> ((Enum<?>) x).name()).toList();
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void addedConstantsJoinTheRunningOnesInTheNewView(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("en.Level", LEVEL1, "en.Say", SAY1), "--release", "8");
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("en.Level", LEVEL2, "en.Say", SAY2), "--release", "8");
        // a class of the new release's tests, loaded after the apply: reads an added constant's field
        Path later = Fixtures.compile(tmp.resolve("later"), Map.of("en.Level", LEVEL2, "en.Later",
                "package en; public class Later { public static Object top() { return Level.TOP; } }"), "--release", "8");
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("en/Level: enum constants [MEDIUM, TOP] added; the "
                + "running constants keep their identity and ordinals, the added ones get ordinals [2, 3]")
                && n.endsWith("ordinal order (compareTo, EnumSet/EnumMap iteration, EnumSet.range) differs from the new release: "
                + "[HIGH] come before the added constants by ordinal, after them in the new release")), result.notes()::toString);
        Patch patch = result.patchOrThrow();
        String described = PatchDescription.render(patch);
        assertTrue(described.contains("\n  en.Level: the new view runs the new release's static initialiser (atlas$initializeView) "
                + "once, on first use there, into its own statics MEDIUM, TOP, $VALUES") && described.contains("    enum constants "
                + "[MEDIUM, TOP] added; the running constants keep their identity and ordinals"), described);

        Map<String, byte[]> classes = new java.util.HashMap<>(Fixtures.classes(v1));
        classes.put("en/Later", Fixtures.classes(later).get("en/Later"));
        ClassLoader loader = new InstrumentingLoader("en-level", classes, new ClassSelector(List.of("en.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<Enum> level = (Class<Enum>) loader.loadClass("en.Level");
        Class<?> say = loader.loadClass("en.Say");
        Object[] running = (Object[]) call(level, "values");
        assertEquals(List.of("LOW", "HIGH"), names(running));
        Object low = running[0];
        Object high = running[1];
        assertEquals("high", call(say, "say", high));
        EnumSet<?> before = EnumSet.allOf(level);   // the JDK's cache of the constants, built before the patch
        assertEquals(2, before.size());

        pipeline.apply(patch).migration().await(LONG);
        Object[] now = (Object[]) call(level, "values");
        assertEquals(List.of("LOW", "MEDIUM", "HIGH", "TOP"), names(now), "the new release's order");
        assertSame(low, now[0], "running constants keep their identity");
        assertSame(high, now[2]);
        Enum medium = (Enum) now[1];
        Enum top = (Enum) now[3];
        assertEquals(List.of(0, 1, 2, 3), List.of(((Enum) low).ordinal(), ((Enum) high).ordinal(), medium.ordinal(), top.ordinal()),
                "running ordinals kept, added ones after them");
        assertSame(medium, call(level, "of", "medium"), "the patched code reads the view's constant");
        assertSame(top, call(loader.loadClass("en.Later"), "top"), "a class loaded after the apply reads the view's field");
        assertEquals(5, level.getMethod("weight").invoke(medium), "built by the new release's constructor arguments");
        assertSame(top, Enum.valueOf(level, "TOP"), "valueOf finds an added constant");
        assertSame(medium, call(level, "valueOf", "MEDIUM"));
        assertEquals(List.of("LOW", "HIGH", "MEDIUM", "TOP"), EnumSet.allOf(level).stream().map(e -> ((Enum<?>) e).name()).toList(),
                "EnumSet takes the added constants, in ordinal order");
        EnumMap map = new EnumMap(level);
        map.put(top, "t");
        map.put(low, "l");
        assertEquals("t", map.get(top));
        assertEquals("medium", call(say, "say", medium), "the new view's switch table has the added constant");
        assertEquals("?", call(say, "say", top));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(top);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())) {
            @Override
            protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws java.io.IOException, ClassNotFoundException {
                return Class.forName(desc.getName(), false, loader);
            }
        }) {
            assertSame(top, in.readObject(), "deserialised by name");
        }

        pipeline.rollback().migration().await(LONG);
        assertEquals(List.of("LOW", "HIGH"), names((Object[]) call(level, "values")), "the old view's values() after a rollback");
        var leaked = assertThrows(java.lang.reflect.InvocationTargetException.class, () -> call(say, "say", medium),
                "what stays: an added constant that reaches the old view's code after a rollback is past its switch tables");
        assertTrue(leaked.getCause() instanceof ArrayIndexOutOfBoundsException, leaked::toString);
        assertEquals("low", call(say, "say", low), "the old view's code");
        assertSame(top, Enum.valueOf(level, "TOP"), "what stays: the JDK's cache, shared by the views, keeps the added constants");

        pipeline.apply(patch).migration().await(LONG);
        Object[] again = (Object[]) call(level, "values");
        assertSame(medium, again[1], "a re-apply reuses the constants it created");
        assertSame(top, again[3]);
        assertNotNull(call(level, "of", "top"));
    }

    @Test
    void anEnumWhoseOtherStaticStateChangedKeepsItsConstants(@TempDir Path tmp) throws Exception {
        String e1 = """
                package ve;
                public enum Mode {
                    A, B;
                    static final java.util.List<Mode> ORDER = new java.util.ArrayList<>();
                    static { ORDER.add(A); }
                    public static java.util.List<Mode> order() { return ORDER; }
                }
                """;
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ve.Mode", e1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ve.Mode", e1.replace("ORDER.add(A);", "ORDER.add(A); ORDER.add(B);")));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        ClassLoader loader = new InstrumentingLoader("ve-mode", Fixtures.classes(v1), new ClassSelector(List.of("ve.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> mode = loader.loadClass("ve.Mode");
        Object[] constants = (Object[]) call(mode, "values");
        pipeline.apply(result.patchOrThrow()).migration().await(LONG);
        assertEquals(List.of(constants[0], constants[1]), call(mode, "order"), "rebuilt for the new view from the running constants");
        pipeline.rollback().migration().await(LONG);
        assertEquals(List.of(constants[0]), call(mode, "order"));
    }

    @Test
    void aConstantBuiltByChangedCodeWithAFieldReadableOutsideTheEnumIsRefusedAlsoWithoutAddedConstants(@TempDir Path tmp) {
        String v1 = """
                package vd;
                public enum Unit {
                    ONE(Unit.base());
                    final int n;
                    Unit(int n) { this.n = n; }
                    static int base() { return 1; }
                }
                """;
        DiffHarness h = DiffHarness.of(tmp, "vd.Unit", v1, v1.replace("return 1;", "return 3;"));
        // ONE gets a twin for the new view (EnumConstantStatesTest), but its field is readable outside the enum
        assertTrue(h.refusedWith("vd/Unit <clinit>: the static state of this enum would have to be rebuilt for the new view (enum "
                + "constant ONE is built by code the patch changes (vd.Unit.base()I)), but constants [ONE] get the new release's "
                + "state for the new view"), h.result.refusals()::toString);
        assertTrue(h.refusedWith("instance fields [n] are not private"), h.result.refusals()::toString);
    }

    @Test
    void aConstantBuiltByChangedCodeWithAFieldReadableOutsideTheEnumIsRefused(@TempDir Path tmp) {
        String v1 = """
                package vc;
                public enum Unit {
                    ONE(Unit.base());
                    final int n;
                    Unit(int n) { this.n = n; }
                    static int base() { return 1; }
                }
                """;
        DiffHarness h = DiffHarness.of(tmp, "vc.Unit", v1, v1.replace("ONE(Unit.base());", "ONE(Unit.base()), TWO(2);")
                .replace("return 1;", "return 3;"));
        assertTrue(h.refusedWith("vc/Unit <clinit>: the static state of this enum would have to be rebuilt for the new view "
                + "(enum constants [TWO] added), but constants [ONE] get the new release's state for the new view"),
                h.result.refusals()::toString);
        assertTrue(h.refusedWith("instance fields [n] are not private"), h.result.refusals()::toString);
    }
}
