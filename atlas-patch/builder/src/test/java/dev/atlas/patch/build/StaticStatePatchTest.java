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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static state built at class initialisation by changed code (the singleton-holder shape of
 * commons-text's {@code StringLookupFactory.DefaultStringLookupsHolder}): the new view reads
 * its own copy built by the new release's initialiser, the old view the running value; state
 * that cannot be kept consistent is refused with the reason.
 */
class StaticStatePatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String V1 = """
            package ss;
            import java.util.*;
            public class Lookups {
                static final class Holder {
                    static final Holder INSTANCE = new Holder(System.getProperties());
                    private final Map<String, String> map;
                    Holder(Properties p) { map = Collections.unmodifiableMap(create()); }
                    private static Map<String, String> create() { Map<String, String> m = new HashMap<>(); m.put("a", "old"); return m; }
                    Map<String, String> map() { return map; }
                }
                public static String lookup(String k) { return Holder.INSTANCE.map().get(k); }
                public static int size() { return Holder.INSTANCE.map().size(); }
            }
            """;
    static final String V2 = V1.replace("m.put(\"a\", \"old\");", "m.put(\"a\", \"new\"); m.put(\"b\", \"added\");");


    @Test
    void aSingletonBuiltByChangedCodeIsRebuiltForTheNewView(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ss.Lookups", V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ss.Lookups", V2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("ss/Lookups$Holder INSTANCE: static state built at class "
                + "initialisation by code the patch changes")), result.notes()::toString);
        Patch patch = result.patchOrThrow();
        ClassPatch holder = patch.classes().stream().filter(c -> c.className().equals("ss/Lookups$Holder")).findFirst().orElseThrow();
        assertEquals(List.of("atlas$view$INSTANCE"), holder.addedFields().stream().map(f -> f.name()).toList());
        ClassPatch lookups = patch.classes().stream().filter(c -> c.className().equals("ss/Lookups")).findFirst().orElseThrow();
        assertEquals(List.of("lookup", "size"), lookups.methods().stream().map(m -> m.name()).sorted().toList(),
                "every reader of the field reads the view's copy");

        ClassLoader loader = new InstrumentingLoader("ss-static", Fixtures.classes(v1),
                new ClassSelector(List.of("ss.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("ss.Lookups");
        assertEquals("old", c.getMethod("lookup", String.class).invoke(null, "a"), "the holder is initialised before the patch");

        pipeline.apply(patch).migration().await(LONG);
        assertEquals("new", c.getMethod("lookup", String.class).invoke(null, "a"), "the new view reads the rebuilt singleton");
        assertEquals(2, c.getMethod("size").invoke(null));

        pipeline.rollback().migration().await(LONG);
        assertEquals("old", c.getMethod("lookup", String.class).invoke(null, "a"), "the old view kept the running singleton");
        assertEquals(1, c.getMethod("size").invoke(null));
    }

    @Test
    void stateASingleFieldCopyCannotKeepConsistentIsRebuiltByTheWholeInitialiser(@TempDir Path tmp) throws Exception {
        String notFinal = V1.replace("static final Holder INSTANCE", "static Holder INSTANCE");
        DiffHarness r = DiffHarness.of(tmp.resolve("a"), "ss.Lookups", notFinal, notFinal.replace("\"old\"", "\"new\""));
        assertTrue(r.result.notes().stream().anyMatch(n -> n.startsWith("ss/Lookups$Holder <clinit>: static field INSTANCE "
                + "is built by code the patch changes (ss.Lookups$Holder.create()Ljava/util/Map;) and is not final; the new "
                + "view runs the new release's whole static initialiser")), r.result.notes()::toString);
        String block = V1.replace("public static int size()", "static final Map<String, String> M = new HashMap<>(); "
                + "static { M.putAll(Holder.create()); } public static int m() { return M.size(); } public static int size()");
        DiffHarness b = DiffHarness.of(tmp.resolve("b"), "ss.Lookups", block, block.replace("\"old\"", "\"new\""));
        assertTrue(b.result.notes().stream().anyMatch(n -> n.startsWith("ss/Lookups <clinit>: the static initialiser runs "
                + "code the patch changes")), b.result.notes()::toString);
        assertEquals(List.of("atlas$initializeView", "lookup", "m", "size"),
                b.classPatch("ss/Lookups").methods().stream().map(m -> m.name()).sorted().toList());
    }

    static final String SALT1 = """
            package ss;
            import java.util.*;
            import java.util.regex.Pattern;
            public class Salt {
                static final Pattern SALT = Pattern.compile("^[a-z]{2,}$");
                static final String DESCRIPTION = "salt matching " + SALT.pattern();
                static final List<String> NAMES = new ArrayList<>();
                static { NAMES.add("x"); }
                public static boolean valid(String s) { return SALT.matcher(s).matches(); }
                public static String describe() { return DESCRIPTION; }
                public static int names() { return NAMES.size(); }
            }
            """;
    static final String SALT2 = SALT1.replace("^[a-z]{2,}$", "^[a-z./]{2,}$");

    @Test
    void aChangedFieldInitialiserOfTheStaticInitialiserGivesTheNewViewItsOwnCopy(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ss.Salt", SALT1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ss.Salt", SALT2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("ss/Salt SALT: initialiser changed in the static "
                + "initialiser; the new view reads its own copy")), result.notes()::toString);
        ClassPatch salt = result.patchOrThrow().classes().get(0);
        assertEquals(List.of("atlas$view$DESCRIPTION", "atlas$view$SALT"),
                salt.addedFields().stream().map(f -> f.name()).sorted().toList(),
                "the field built from the changed one is copied too; the unchanged list is not");
        assertEquals(List.of("describe", "valid"), salt.methods().stream().map(m -> m.name()).sorted().toList());

        ClassLoader loader = new InstrumentingLoader("ss-salt", Fixtures.classes(v1),
                new ClassSelector(List.of("ss.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("ss.Salt");
        assertEquals(false, c.getMethod("valid", String.class).invoke(null, "a.b"), "initialised before the patch");
        pipeline.apply(result.patchOrThrow()).migration().await(LONG);
        assertEquals(true, c.getMethod("valid", String.class).invoke(null, "a.b"), "the new view reads the new pattern");
        assertEquals("salt matching ^[a-z./]{2,}$", c.getMethod("describe").invoke(null));
        assertEquals(1, c.getMethod("names").invoke(null), "state the patch did not change stays shared");
        pipeline.rollback().migration().await(LONG);
        assertEquals(false, c.getMethod("valid", String.class).invoke(null, "a.b"), "rollback: the running value again");
        assertEquals("salt matching ^[a-z]{2,}$", c.getMethod("describe").invoke(null));
    }

    @Test
    void aChangedStaticInitialiserThatCannotBeSplitPerFieldIsRunWholeForTheNewView(@TempDir Path tmp) throws Exception {
        String notFinal = SALT1.replace("static final Pattern SALT", "static Pattern SALT");
        DiffHarness a = DiffHarness.of(tmp.resolve("a"), "ss.Salt", notFinal, notFinal.replace("^[a-z]{2,}$", "^[a-z./]{2,}$"));
        assertTrue(a.result.notes().stream().anyMatch(n -> n.startsWith("ss/Salt <clinit>: the initialiser of static field "
                + "SALT changed and the field is not final; the new view runs")), a.result.notes()::toString);
        String block = SALT1.replace("static { NAMES.add(\"x\"); }", "static { NAMES.add(SALT.pattern()); }");
        DiffHarness b = DiffHarness.of(tmp.resolve("b"), "ss.Salt", block, block.replace("^[a-z]{2,}$", "^[a-z./]{2,}$"));
        assertTrue(b.result.notes().stream().anyMatch(n -> n.startsWith("ss/Salt <clinit>: the static initialiser runs code "
                + "the patch changes (ss.Salt.SALT, whose new view reads its own copy)")), b.result.notes()::toString);
        assertTrue(b.result.notes().stream().noneMatch(n -> n.contains(StaticState.PREFIX)),
                () -> "no single-field copy is left for a class whose initialiser runs whole: " + b.result.notes());
        String loop = SALT1.replace("static { NAMES.add(\"x\"); }", "static { for (int i = 0; i < 1; i++) NAMES.add(\"x\"); }");
        DiffHarness d = DiffHarness.of(tmp.resolve("d"), "ss.Salt", loop, loop.replace("i < 1", "i < 2"));
        assertTrue(d.result.notes().stream().anyMatch(n -> n.startsWith("ss/Salt <clinit>: static initialiser changed outside "
                + "the initialisers of single static fields (first difference:")), d.result.notes()::toString);
        assertEquals(List.of("atlas$initializeView", "describe", "names", "valid"),
                d.classPatch("ss/Salt").methods().stream().map(m -> m.name()).sorted().toList());
    }

    /** The shape of commons-compress 1.26.0 to 1.26.1: a singleton read only by lambda bodies. */
    static final String FACTORY1 = """
            package ss;
            import java.util.*;
            import java.util.function.Supplier;
            public class Factory {
                public static final Factory DEFAULT = new Factory();
                private final String encoding;
                public Factory() { this(null); }
                public Factory(String encoding) { this.encoding = encoding == null ? "v1" : encoding; }
                public String names() { return "names-" + encoding; }
                public static SortedMap<String, String> providers() {
                    Supplier<SortedMap<String, String>> s = () -> {
                        TreeMap<String, String> map = new TreeMap<>();
                        map.put(DEFAULT.names(), "x");
                        List.of("y").forEach(p -> map.put(p + DEFAULT.names(), p));
                        return map;
                    };
                    return s.get();
                }
                private final Supplier<String> held = () -> DEFAULT.names();
                public static Supplier<String> holder() { return new Factory("h").held; }
            }
            """;
    static final String FACTORY2 = FACTORY1.replace("\"v1\"", "\"v2\"");

    @Test
    void lambdaBodiesThatReadAViewCopyAreCreatedFromCopiesThatReadIt(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ss.Factory", FACTORY1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ss.Factory", FACTORY2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("ss/Factory DEFAULT: read by the lambda body ss.Factory.lambda$")
                && n.contains("a lambda object created before the apply (or by the old view) keeps running the loaded body")),
                result.notes()::toString);
        ClassPatch factory = result.patchOrThrow().classes().get(0);
        assertTrue(factory.methods().stream().anyMatch(m -> m.name().equals("providers")),
                () -> "the method creating the lambdas is replaced: " + factory.methods());

        ClassLoader loader = new InstrumentingLoader("ss-lambda", Fixtures.classes(v1),
                new ClassSelector(List.of("ss.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("ss.Factory");
        assertEquals(Map.of("names-v1", "x", "ynames-v1", "y"), c.getMethod("providers").invoke(null));
        java.util.function.Supplier<?> before = (java.util.function.Supplier<?>) c.getMethod("holder").invoke(null);
        pipeline.apply(result.patchOrThrow()).migration().await(LONG);
        assertEquals(Map.of("names-v2", "x", "ynames-v2", "y"), c.getMethod("providers").invoke(null),
                "lambdas (and a lambda inside a lambda) created in the new view read the new view's singleton");
        java.util.function.Supplier<?> after = (java.util.function.Supplier<?>) c.getMethod("holder").invoke(null);
        assertEquals("names-v2", after.get(), "a lambda created by the new view's constructor");
        assertEquals("names-v1", before.get(), "a lambda object created before the apply keeps its loaded body (the build note)");
        pipeline.rollback().migration().await(LONG);
        assertEquals(Map.of("names-v1", "x", "ynames-v1", "y"), c.getMethod("providers").invoke(null), "rollback");
    }
}
