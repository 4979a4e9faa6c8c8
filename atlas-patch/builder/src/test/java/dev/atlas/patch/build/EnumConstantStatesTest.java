package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Running enum constants whose state the new release builds differently (commons-lang3's
 * {@code JavaVersion.JAVA_RECENT} built by a changed {@code split(..)}, commons-csv's
 * {@code Predefined.Default} built from {@code CSVFormat.DEFAULT}, whose new view has its own
 * copy, a constant whose constructor arguments changed): the new view reads the new release's
 * state through a twin of each constant, while the constants keep their identity, name,
 * ordinal, {@code values()} and {@code valueOf}; the old view and a rollback see the running state.
 */
class EnumConstantStatesTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    private ClassLoader load(String name, Path v1, String pkg) {
        return new InstrumentingLoader(name, Fixtures.classes(v1), new ClassSelector(List.of(pkg + ".**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
    }

    static Object call(Class<?> c, String m, Object target, Object... args) throws Exception {
        for (var method : c.getMethods()) {
            if (method.getName().equals(m) && method.getParameterCount() == args.length) {
                return method.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(m);
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aConstantWhoseArgumentsChangedHasTheNewStateInTheNewViewOnly(@TempDir Path tmp) throws Exception {
        String v1 = """
                package ea;
                public enum Level {
                    LOW(1), HIGH(9);
                    private final int weight;
                    Level(int weight) { this.weight = weight; }
                    public int weight() { return weight; }
                    public boolean heavier(Level o) { return weight > o.weight; }
                }
                """;
        Path p1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ea.Level", v1), "--release", "8");
        Path p2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ea.Level", v1.replace("HIGH(9)", "HIGH(90)")), "--release", "8");
        BuildResult result = PatchBuilder.diff(p1, p2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("ea/Level: enum constants [HIGH] get the new release's "
                + "state in the new view")), result.notes()::toString);
        Patch patch = result.patchOrThrow();
        String described = PatchDescription.render(patch);
        assertTrue(described.contains("    enum constants [HIGH] get the new release's state in the new view"), described);

        ClassLoader loader = load("ea", p1, "ea");
        Class<Enum> level = (Class<Enum>) loader.loadClass("ea.Level");
        Object[] running = (Object[]) call(level, "values", null);
        Object low = running[0];
        Object high = running[1];
        EnumMap map = new EnumMap(level);
        map.put((Enum) high, "h");
        assertEquals(9, call(level, "weight", high));

        pipeline.apply(patch).migration().await(LONG);
        assertEquals(90, call(level, "weight", high), "the new release's state, read through the twin");
        assertEquals(1, call(level, "weight", low), "a constant whose construction did not change keeps its state");
        assertEquals(true, call(level, "heavier", high, low));
        Object[] now = (Object[]) call(level, "values", null);
        assertSame(low, now[0], "identity kept");
        assertSame(high, now[1]);
        assertSame(high, Enum.valueOf(level, "HIGH"));
        assertEquals(1, ((Enum) high).ordinal());
        assertEquals("h", map.get(high), "EnumMap keys are the running constants");
        var field = level.getDeclaredField("weight");
        field.setAccessible(true);
        assertEquals(9, field.get(high), "reflection reads the running field (a stated limit)");

        pipeline.rollback().migration().await(LONG);
        assertEquals(9, call(level, "weight", high), "the old view's state after a rollback");
        pipeline.apply(patch).migration().await(LONG);
        assertEquals(90, call(level, "weight", high), "a re-apply reuses the twins");
    }

    @Test
    void aConstantBuiltByAChangedStaticMethod(@TempDir Path tmp) throws Exception {
        String v1 = """
                package eb;
                public enum Unit {
                    ONE(Unit.base()), TWO(2);
                    private final int n;
                    Unit(int n) { this.n = n; }
                    static int base() { return 1; }
                    public int n() { return n; }
                }
                """;
        Path p1 = Fixtures.compile(tmp.resolve("v1"), Map.of("eb.Unit", v1), "--release", "8");
        Path p2 = Fixtures.compile(tmp.resolve("v2"), Map.of("eb.Unit", v1.replace("return 1;", "return 3;")), "--release", "8");
        BuildResult result = PatchBuilder.diff(p1, p2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        ClassLoader loader = load("eb", p1, "eb");
        Class<?> unit = loader.loadClass("eb.Unit");
        Object one = ((Object[]) call(unit, "values", null))[0];
        assertEquals(1, call(unit, "n", one));
        pipeline.apply(result.patchOrThrow()).migration().await(LONG);
        assertEquals(3, call(unit, "n", one));
        assertSame(one, call(unit, "valueOf", null, "ONE"));
        pipeline.rollback().migration().await(LONG);
        assertEquals(1, call(unit, "n", one));
    }

    @Test
    void aNestedEnumBuiltFromAStaticWhoseNewViewHasItsOwnCopy(@TempDir Path tmp) throws Exception {
        // commons-csv: CSVFormat.DEFAULT is rebuilt for the new view; Predefined.Default(CSVFormat.DEFAULT) must follow it
        String v1 = """
                package ec;
                public final class Format {
                    public static final Format DEFAULT = new Format(",");
                    private final String sep;
                    private Format(String sep) { this.sep = sep; }
                    public String sep() { return sep; }
                    public static boolean isDefault(Predefined p) { return p.getFormat() == DEFAULT; }
                    public enum Predefined {
                        Default(Format.DEFAULT);
                        private final Format format;
                        Predefined(Format format) { this.format = format; }
                        public Format getFormat() { return format; }
                    }
                }
                """;
        Path p1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ec.Format", v1), "--release", "8");
        Path p2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ec.Format", v1.replace("new Format(\",\")", "new Format(\";\")")),
                "--release", "8");
        BuildResult result = PatchBuilder.diff(p1, p2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        ClassLoader loader = load("ec", p1, "ec");
        Class<?> format = loader.loadClass("ec.Format");
        Class<?> predefined = loader.loadClass("ec.Format$Predefined");
        Object def = ((Object[]) call(predefined, "values", null))[0];
        Object running = call(predefined, "getFormat", def);
        assertEquals(",", call(format, "sep", running));
        pipeline.apply(result.patchOrThrow()).migration().await(LONG);
        Object viewFormat = call(predefined, "getFormat", def);
        assertEquals(";", call(format, "sep", viewFormat), "the constant holds the new view's DEFAULT");
        assertEquals(true, call(format, "isDefault", null, def), "the same object as the new view's Format.DEFAULT");
        assertSame(def, call(predefined, "valueOf", null, "Default"));
        pipeline.rollback().migration().await(LONG);
        assertSame(running, call(predefined, "getFormat", def));
    }

    @Test
    void refusedWhenTheStateCannotBeKeptSound(@TempDir Path tmp) {
        String shared = """
                package ed;
                public enum Unit {
                    ONE(1);
                    FIELD
                    Unit(int n) { this.n = n; }
                    public int n() { return n; }
                    MORE
                }
                """;
        String pkgPrivate = shared.replace("FIELD", "final int n;").replace("MORE", "");
        DiffHarness h = DiffHarness.of(tmp.resolve("a"), "ed.Unit", pkgPrivate, pkgPrivate.replace("ONE(1)", "ONE(2)"));
        assertTrue(h.refusedWith("instance fields [n] are not private"), h.result.refusals()::toString);
        String mutable = shared.replace("FIELD", "private int n;").replace("MORE", "public void set(int v) { n = v; }");
        h = DiffHarness.of(tmp.resolve("b"), "ed.Unit", mutable, mutable.replace("ONE(1)", "ONE(2)"));
        assertTrue(h.refusedWith("ed.Unit.set writes instance field n of the enum"), h.result.refusals()::toString);
        String leaks = shared.replace("FIELD", "private final int n; static final java.util.List<Object> ALL = new java.util.ArrayList<>();")
                .replace("this.n = n; }", "this.n = n; Registry.add(this); }")
                .replace("MORE", "static class Registry { static void add(Object o) {} }");
        h = DiffHarness.of(tmp.resolve("c"), "ed.Unit", leaks, leaks.replace("ONE(1)", "ONE(2)"));
        assertTrue(h.refusedWith("hands 'this' to invokestatic ed/Unit$Registry.add"), h.result.refusals()::toString);
        String lambda = shared.replace("FIELD", "private final int n;")
                .replace("MORE", "public static java.util.function.IntSupplier first() { return () -> ONE.n; }");
        h = DiffHarness.of(tmp.resolve("d"), "ed.Unit", lambda, lambda.replace("ONE(1)", "ONE(2)"));
        assertTrue(h.refusedWith("enum constants' state (instance field n, which the new view reads from twins) built by "
                + "changed code is read by ed/Unit.lambda$first$0()I, a lambda body"), h.result.refusals()::toString);
    }
}
