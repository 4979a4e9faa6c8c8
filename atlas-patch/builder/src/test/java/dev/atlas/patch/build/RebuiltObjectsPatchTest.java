package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.ObjectRebuilds;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.runtime.PatchApplication;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Objects made before the apply, rebuilt in the new view by re-running the method the operator
 * names ({@code --rebuild-objects}): the shape of commons-beanutils 1.9.3 -> 1.9.4 (CVE-2019-10086),
 * whose fix is in a method the constructor calls. Built, applied in this JVM, used, rolled back.
 */
class RebuiltObjectsPatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String BEANS_V1 = """
            package ro;
            import java.util.List;
            import java.util.Map;
            import java.util.concurrent.ConcurrentHashMap;
            import java.util.concurrent.CopyOnWriteArrayList;
            public class Beans {
                public static final java.util.concurrent.atomic.AtomicInteger resets = new java.util.concurrent.atomic.AtomicInteger();   // rebuilds of different objects run at once
                public static volatile boolean failNextReset;
                public static volatile int resetYields;   // the new reset() yields this often: a wider window for races
                protected final List<String> introspectors = new CopyOnWriteArrayList<>();
                private final Map<String, Boolean> descriptors = new ConcurrentHashMap<>();   // filled through the introspectors
                public Beans() { reset(); }
                public final void reset() { resets.incrementAndGet(); introspectors.clear(); introspectors.add("default"); }
                public boolean readable(String property) {
                    Boolean r = descriptors.get(property);
                    if (r == null) { r = !introspectors.contains("suppress-" + property); descriptors.put(property, r); }
                    return r;
                }
                public void clearDescriptors() { descriptors.clear(); }
                public static int size(Beans b) { return b.introspectors.size(); }
            }
            """;
    static final String BEANS_V2 = BEANS_V1.replace("introspectors.add(\"default\"); }",
            "for (int i = 0; i < resetYields; i++) Thread.yield(); if (failNextReset) { failNextReset = false; throw new IllegalStateException(\"reset failed\"); } "
                    + "introspectors.add(\"default\"); introspectors.add(\"suppress-class\"); }");
    /** A default instance kept by another class, made before the apply (as BeanUtilsBean keeps its PropertyUtilsBean). */
    static final String REGISTRY = """
            package ro;
            public class Registry {
                private static Beans instance;
                public static synchronized Beans get() { if (instance == null) instance = new Beans(); return instance; }
            }
            """;

    /** A subclass the patch does not change, with a method of its own that reads the state. */
    static final String SPECIAL = """
            package ro;
            public class Special extends Beans {
                public boolean classReadable() { return !introspectors.contains("suppress-class"); }
            }
            """;

    static BuildResult build(Path tmp, String v1, String v2, String... rebuild) throws Exception {
        Path o = Fixtures.compile(tmp.resolve("v1"), Map.of("ro.Beans", v1, "ro.Registry", REGISTRY, "ro.Special", SPECIAL));
        Path n = Fixtures.compile(tmp.resolve("v2"), Map.of("ro.Beans", v2, "ro.Registry", REGISTRY, "ro.Special", SPECIAL));
        return PatchBuilder.diff(o, n, BuildOptions.defaults().withRebuildObjects(List.of(rebuild)));
    }

    private Class<?> load(Path tmp) throws Exception {
        return load(tmp, code);
    }

    /** The old build's classes in a loader instrumented for {@code code}. */
    static Class<?> load(Path tmp, dev.atlas.patch.runtime.CodeViews code) throws Exception {
        Path o = tmp.resolve("v1");
        ClassLoader loader = new InstrumentingLoader("ro", Fixtures.classes(o), new ClassSelector(List.of("ro.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        return loader.loadClass("ro.Beans");
    }

    static boolean readable(Object beans, String property) throws Exception {
        return (boolean) beans.getClass().getMethod("readable", String.class).invoke(beans, property);
    }

    static int resets(Class<?> c) throws Exception {
        return ((java.util.concurrent.atomic.AtomicInteger) c.getField("resets").get(null)).get();
    }

    @Test
    void objectsMadeBeforeTheApplyAreRebuiltOnceAtTheirFirstUseAndNewOnesNever(@TempDir Path tmp) throws Exception {
        BuildResult r = build(tmp, BEANS_V1, BEANS_V2, "ro.Beans#reset()", "ro.Beans#clearDescriptors()");
        assertFalse(r.isRefused(), r.refusals()::toString);
        Patch patch = r.patchOrThrow();
        assertTrue(patch.unappliedChanges().stream().noneMatch(u -> u.contains("NOT rebuilt")), patch.unappliedChanges()::toString);
        String line = ObjectRebuilds.line("ro/Beans", "reset()V\nclearDescriptors()V");
        assertTrue(line.startsWith("ro.Beans: objects created before the apply: rebuilt at their first use in the new view by "
                + "re-running reset(), then clearDescriptors()"), line);
        assertEquals(List.of(line), ObjectRebuilds.lines(patch));
        assertTrue(r.notes().contains(line), r.notes()::toString);
        assertTrue(PatchDescription.render(patch).contains(line), "inspect says so");
        assertTrue(patch.classes().getFirst().methods().stream().anyMatch(m -> m.name().equals("<init>")
                && m.kind() == MethodChange.Kind.REPLACED), "the constructor is replaced, to mark what it makes");

        Class<?> c = load(tmp);
        Object before = c.getConstructor().newInstance();
        Object kept = c.getClassLoader().loadClass("ro.Registry").getMethod("get").invoke(null);
        Object sub = c.getClassLoader().loadClass("ro.Special").getConstructor().newInstance();
        assertTrue(readable(before, "class") && readable(kept, "class"), "the running release exposes the class property");
        int resetsBefore = resets(c);

        PatchApplication a = pipeline.apply(patch);
        a.migration().await(LONG);
        assertEquals(1, a.objectRebuilds().size());
        assertFalse(readable(before, "class"), "object made before: refused (rebuilt at its first use)");
        assertFalse(readable(kept, "class"), "the kept default instance: refused");
        assertEquals(resetsBefore + 2, resets(c), "each older object rebuilt once");
        assertFalse(readable(before, "class"));
        assertEquals(resetsBefore + 2, resets(c), "and only once");
        assertEquals(2, a.objectRebuilds().getFirst().rebuiltCount());
        assertEquals(false, sub.getClass().getMethod("classReadable").invoke(sub),
                "an older object of a loaded subclass, rebuilt at the first entry of a method only the subclass declares");
        assertEquals(resetsBefore + 3, resets(c));
        assertEquals(3, a.objectRebuilds().getFirst().rebuiltCount());

        Object after = c.getConstructor().newInstance();
        assertEquals(resetsBefore + 4, resets(c), "the new view's constructor ran the new reset()");
        assertFalse(readable(after, "class"));
        assertEquals(resetsBefore + 4, resets(c), "an object made after the apply is never rebuilt");
        Object subAfter = sub.getClass().getConstructor().newInstance();
        assertEquals(false, sub.getClass().getMethod("classReadable").invoke(subAfter));
        assertEquals(resetsBefore + 5, resets(c), "nor one of a subclass (its super call reached the marking constructor)");
        assertEquals(2, c.getMethod("size", c).invoke(null, before), "a static method is no entry of the rebuild, "
                + "and sees the rebuilt state");

        pipeline.rollback().migration().await(LONG);
        assertFalse(readable(before, "class"), "after a rollback the rebuilt object stays rebuilt: the old code reads its state");
        Object fresh = c.getConstructor().newInstance();
        assertTrue(readable(fresh, "class"), "the old view builds objects as the running release does");

        pipeline.apply(patch).migration().await(LONG);
        int again = resets(c);
        assertFalse(readable(before, "class"));
        assertEquals(again, resets(c), "an apply of the same patch again does not rebuild an object twice");
        assertFalse(readable(fresh, "class"), "an object the old view made between rollback and re-apply is rebuilt");
        assertEquals(again + 1, resets(c));
    }

    @Test
    void aRebuildThatThrowsGoesToTheCallerLeavesTheObjectUnmarkedAndRunsAgainAtTheNextUse(@TempDir Path tmp) throws Exception {
        BuildResult r = build(tmp, BEANS_V1, BEANS_V2, "ro.Beans#reset()", "ro.Beans#clearDescriptors()");
        Class<?> c = load(tmp);
        Object before = c.getConstructor().newInstance();
        PatchApplication a = pipeline.apply(r.patchOrThrow());
        a.migration().await(LONG);
        c.getField("failNextReset").setBoolean(null, true);
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> readable(before, "class"));
        assertEquals("reset failed", e.getCause().getMessage(), "the rebuild's exception reaches the caller");
        assertEquals(1, a.objectRebuilds().getFirst().failedCount());
        assertEquals(0, a.objectRebuilds().getFirst().rebuiltCount());
        assertFalse(readable(before, "class"), "the next use rebuilds it");
        assertEquals(1, a.objectRebuilds().getFirst().rebuiltCount());
    }

    /**
     * As commons-beanutils' PropertyUtilsBean: its descriptor cache was filled through the old
     * introspectors, and resetBeanIntrospectors() does not clear it: a class introspected before the
     * apply keeps its 'class' descriptor unless clearDescriptors() is named too.
     */
    @Test
    void stateTheNamedMethodDoesNotResetStaysAsTheOldCodeBuiltIt(@TempDir Path tmp) throws Exception {
        BuildResult r = build(tmp, BEANS_V1, BEANS_V2, "ro.Beans#reset()");
        Class<?> c = load(tmp);
        Object before = c.getConstructor().newInstance();
        Object unused = c.getConstructor().newInstance();
        assertTrue(readable(before, "class"), "cached through the old introspectors");
        pipeline.apply(r.patchOrThrow()).migration().await(LONG);
        assertTrue(readable(before, "class"), "rebuilt by reset() alone, it still answers from its cache");
        assertFalse(readable(unused, "class"), "an older object that had cached nothing is fixed by reset() alone");
        assertEquals(2, c.getMethod("size", c).invoke(null, before), "reset() did run on it");
    }

    @Test
    void withoutTheOptionTheStateIsReportedNotRebuilt(@TempDir Path tmp) throws Exception {
        BuildResult r = build(tmp, BEANS_V1, BEANS_V2);
        Patch patch = r.patchOrThrow();
        assertTrue(ObjectRebuilds.lines(patch).isEmpty());
        assertEquals(1, patch.unappliedChanges().size(), patch.unappliedChanges()::toString);
        assertTrue(patch.unappliedChanges().getFirst().contains("NOT rebuilt"), patch.unappliedChanges()::toString);
        assertTrue(patch.unappliedChanges().getFirst().contains("--rebuild-objects 'ro.Beans#<method>()'"), "names the remedy");
        Class<?> c = load(tmp);
        Object before = c.getConstructor().newInstance();
        pipeline.apply(patch).migration().await(LONG);
        assertTrue(readable(before, "class"), "not rebuilt: the limit the report names");
    }

    @Test
    void aMethodThatCannotRebuildObjectsIsRefusedWithTheReasonAndTheRemedy(@TempDir Path tmp) throws Exception {
        String v1 = BEANS_V1.replace("public static int size(Beans b)", "public static void init() { }\n"
                + "    public void configure(int level) { }\n    public static int size(Beans b)");
        String v2 = BEANS_V2.replace("public static int size(Beans b)", "public static void init() { }\n"
                + "    public void configure(int level) { }\n    public void fresh() { }\n    public static int size(Beans b)");
        assertRefused(tmp.resolve("a"), v1, v2, "ro.Beans#missing()", "declares no method missing");
        assertRefused(tmp.resolve("b"), v1, v2, "ro.Beans#init()", "init() is static: it has no object to rebuild");
        assertRefused(tmp.resolve("c"), v1, v2, "ro.Beans#configure()", "configure takes parameters");
        assertRefused(tmp.resolve("d"), v1, v2, "ro.Beans#fresh()", "is new in the new release");
        assertRefused(tmp.resolve("e"), v1, v2, "ro.Registry#get()", "the patch does not change this class");
        assertRefused(tmp.resolve("f"), v1, v2, "ro.Nowhere#reset()", "no such class in the new build");
        BuildResult twice = build(tmp.resolve("g"), v1, v2, "ro.Beans#reset()", "ro.Beans#reset()");
        assertTrue(twice.refusals().stream().anyMatch(x -> x.toString().contains("named twice")), twice.refusals()::toString);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BuildOptions.defaults().withRebuildObjects(List.of("ro.Beans#configure(int)")));
        assertTrue(e.getMessage().contains("'ro.Beans#configure(int)' takes parameters"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BuildOptions.defaults().withRebuildObjects(List.of("ro.Beans")));
        assertTrue(e.getMessage().contains("expected pkg.Class#method()"), e.getMessage());
    }

    private void assertRefused(Path tmp, String v1, String v2, String spec, String reason) throws Exception {
        BuildResult r = build(tmp, v1, v2, spec);
        assertTrue(r.isRefused(), () -> spec + " was accepted");
        assertTrue(r.refusals().stream().anyMatch(x -> x.toString().contains("--rebuild-objects " + spec)
                && x.toString().contains(reason) && x.toString().contains("remedy")), r.refusals()::toString);
    }
}
