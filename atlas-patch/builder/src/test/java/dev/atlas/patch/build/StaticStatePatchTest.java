package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static state built at class initialisation by changed code (the singleton-holder shape of
 * commons-text's {@code StringLookupFactory.DefaultStringLookupsHolder}): the new view reads
 * its own copy built by the new release's initialiser, the old view the running value; state
 * that cannot be kept consistent is refused with the reason.
 */
class StaticStatePatchTest {
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

    final CodeViews code = CodeViews.get();
    static final dev.atlas.patch.runtime.PatchPipeline PIPELINE =
            new dev.atlas.patch.runtime.PatchPipeline(CodeViews.get(), dev.atlas.patch.jit.JitPriorityWindow.off());
    final dev.atlas.patch.runtime.PatchPipeline pipeline = PIPELINE;

    @AfterEach
    void rollbackAll() throws Exception {
        while (!code.applied().isEmpty()) {
            pipeline.rollback().migration().await(LONG);
        }
    }

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
    void stateThatCannotBeKeptConsistentIsRefused(@TempDir Path tmp) throws Exception {
        String notFinal = V1.replace("static final Holder INSTANCE", "static Holder INSTANCE");
        BuildResult r = PatchBuilder.diff(Fixtures.compile(tmp.resolve("a1"), Map.of("ss.Lookups", notFinal)),
                Fixtures.compile(tmp.resolve("a2"), Map.of("ss.Lookups", notFinal.replace("\"old\"", "\"new\""))),
                BuildOptions.defaults());
        assertTrue(r.refusals().toString().contains("ss/Lookups$Holder INSTANCE: static field built at class initialisation "
                + "by code the patch changes (ss.Lookups$Holder.create()Ljava/util/Map;) is not final"), r.refusals()::toString);
        String block = V1.replace("public static int size()", "static { Holder.create(); } public static int size()");
        BuildResult b = PatchBuilder.diff(Fixtures.compile(tmp.resolve("b1"), Map.of("ss.Lookups", block)),
                Fixtures.compile(tmp.resolve("b2"), Map.of("ss.Lookups", block.replace("\"old\"", "\"new\""))),
                BuildOptions.defaults());
        assertTrue(b.refusals().toString().contains("ss/Lookups <clinit>: the static initialiser runs code the patch changes"),
                b.refusals()::toString);
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
    void aChangedStaticInitialiserThatCannotBeSplitPerFieldIsRefusedWithTheReason(@TempDir Path tmp) throws Exception {
        String notFinal = SALT1.replace("static final Pattern SALT", "static Pattern SALT");
        BuildResult a = PatchBuilder.diff(Fixtures.compile(tmp.resolve("a1"), Map.of("ss.Salt", notFinal)),
                Fixtures.compile(tmp.resolve("a2"), Map.of("ss.Salt", notFinal.replace("^[a-z]{2,}$", "^[a-z./]{2,}$"))),
                BuildOptions.defaults());
        assertTrue(a.refusals().toString().contains("the initialiser of static field SALT changed and the field is not final"),
                a.refusals()::toString);
        String block = SALT1.replace("static { NAMES.add(\"x\"); }", "static { NAMES.add(SALT.pattern()); }");
        BuildResult b = PatchBuilder.diff(Fixtures.compile(tmp.resolve("b1"), Map.of("ss.Salt", block)),
                Fixtures.compile(tmp.resolve("b2"), Map.of("ss.Salt", block.replace("^[a-z]{2,}$", "^[a-z./]{2,}$"))),
                BuildOptions.defaults());
        assertTrue(b.refusals().toString().contains("ss/Salt <clinit>: the static initialiser runs code the patch changes "
                + "(ss.Salt.SALT, whose new view reads its own copy)"), b.refusals()::toString);
        String loop = SALT1.replace("static { NAMES.add(\"x\"); }", "static { for (int i = 0; i < 1; i++) NAMES.add(\"x\"); }");
        BuildResult d = PatchBuilder.diff(Fixtures.compile(tmp.resolve("d1"), Map.of("ss.Salt", loop)),
                Fixtures.compile(tmp.resolve("d2"), Map.of("ss.Salt", loop.replace("i < 1", "i < 2"))),
                BuildOptions.defaults());
        assertTrue(d.refusals().toString().contains("static initialiser changed outside the initialisers of single static "
                + "fields (first difference:"), d.refusals()::toString);
    }
}
