package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A changed static initialiser that cannot be split per field (commons-text's
 * {@code StrTokenizer}: a prototype built, then configured in a static block; mutable
 * statics; another class's initialiser built from it): the new view runs the whole new
 * initialiser into its own statics, the old view keeps its state, rollback returns to it.
 */
class ViewInitializerPatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String TOK1 = """
            package vi;
            public class Tok {
                static int created = 0;
                private static final Tok CSV = new Tok();
                static {
                    CSV.setDelimiter(',');
                }
                private char delimiter = ' ';
                private boolean trim;
                Tok() { created++; }
                Tok setDelimiter(char c) { delimiter = c; return this; }
                Tok setTrim(boolean t) { trim = t; return this; }
                public static String csv() { return CSV.delimiter + ":" + CSV.trim; }
                public static int created() { return created; }
                public static void touch() { created += 100; }
            }
            """;
    static final String TOK2 = TOK1.replace("CSV.setDelimiter(',');", "CSV.setDelimiter(';'); CSV.setTrim(true);");

    static final String USER = """
            package vi;
            public class User {
                static final String DESCRIPTION = "tokenizes " + Tok.csv();
                public static String describe() { return DESCRIPTION; }
            }
            """;

    @Test
    void aConfiguredPrototypeIsRebuiltByTheWholeNewInitialiserForTheNewView(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("vi.Tok", TOK1, "vi.User", USER));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("vi.Tok", TOK2, "vi.User", USER));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("vi/Tok <clinit>: static initialiser changed outside "
                + "the initialisers of single static fields") && n.contains("the new view runs the new release's whole static "
                + "initialiser, once, on first use there, into its own statics (created, CSV, held by vi/Tok$atlas$ViewStatics)")
                && n.contains("not final, so separate per view from now on (a write in one view is not seen by the other): "
                + "created")), result.notes()::toString);
        assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("vi/User <clinit>: its static initialiser reads "
                + "vi.Tok.CSV") || n.startsWith("vi/User DESCRIPTION")), result.notes()::toString);
        Patch patch = result.patchOrThrow();
        ClassPatch tok = patch.classes().stream().filter(c -> c.className().equals("vi/Tok")).findFirst().orElseThrow();
        assertEquals(List.of("<init>", "atlas$initializeView", "created", "csv", "touch"),
                tok.methods().stream().map(m -> m.name()).sorted().toList(), "the view initialiser and every user of the statics");
        assertTrue(patch.addedClasses().stream().map(AddedClass::className)
                .anyMatch(n -> n.startsWith("vi/Tok$atlas$ViewStatics$$AtlasPatch$")), patch.addedClasses()::toString);
        String described = PatchDescription.render(patch);
        assertTrue(described.contains("Static state:\n") && described.contains("\n  vi.Tok: the new view runs the new release's static initialiser "
                + "(atlas$initializeView) once, on first use there, into its own statics created, CSV"), described);

        ClassLoader loader = new InstrumentingLoader("vi-tok", Fixtures.classes(v1), new ClassSelector(List.of("vi.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("vi.Tok");
        Class<?> user = loader.loadClass("vi.User");
        assertEquals(",:false", c.getMethod("csv").invoke(null), "initialised before the patch");
        assertEquals("tokenizes ,:false", user.getMethod("describe").invoke(null));
        c.getMethod("touch").invoke(null);
        assertEquals(101, c.getMethod("created").invoke(null));

        pipeline.apply(patch).migration().await(LONG);
        assertEquals(";:true", c.getMethod("csv").invoke(null), "the new view reads the prototype the new block configured");
        assertEquals("tokenizes ;:true", user.getMethod("describe").invoke(null), "state built from it is rebuilt too");
        assertEquals(1, c.getMethod("created").invoke(null), "the new view's statics start from the new initialiser");
        c.getMethod("touch").invoke(null);
        assertEquals(101, c.getMethod("created").invoke(null));

        pipeline.rollback().migration().await(LONG);
        assertEquals(",:false", c.getMethod("csv").invoke(null), "rollback: the old view's state, never changed");
        assertEquals("tokenizes ,:false", user.getMethod("describe").invoke(null));
        assertEquals(101, c.getMethod("created").invoke(null), "the old view's own write only");
    }

    @Test
    void resourcesTheNewReleaseChangesAreNamedInTheNotesAndTheHolder(@TempDir Path tmp) throws Exception {
        String load = """
                package vr;
                public class Rules {
                    static final java.util.List<String> RULES = new java.util.ArrayList<>();
                    static {
                        try (var in = Rules.class.getResourceAsStream("rules.txt")) {
                            RULES.addAll(java.util.Arrays.asList(new String(in.readAllBytes()).split("\\n")));
                        } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
                    }
                    public static int count() { return RULES.size(); }
                }
                """;
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("vr.Rules", load));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("vr.Rules", load.replace("\"rules.txt\"", "\"/vr/rules.txt\"")));
        Files.writeString(v1.resolve("vr/rules.txt"), "a");
        Files.writeString(v2.resolve("vr/rules.txt"), "a\nb");
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("vr/Rules <clinit>:") && n.endsWith("it reads resources "
                + "from the running release's jar (a patch carries none), and the new release changes 1 in its package: "
                + "vr/rules.txt")), result.notes()::toString);
        String described = PatchDescription.render(result.patchOrThrow());
        assertTrue(described.contains("reads resources from the running release's jar; the new release changes: vr/rules.txt"),
                described);
    }

    @Test
    void whatRerunningTheInitialiserCannotCarryIsRefused(@TempDir Path tmp) throws Exception {
        String r1 = """
                package ve;
                public class Boot {
                    static { System.setProperty("ve.boot", "1"); }
                    public static String v() { return System.getProperty("ve.boot"); }
                }
                """;
        DiffHarness b = DiffHarness.of(tmp.resolve("b"), "ve.Boot", r1, r1.replace("\"1\"", "\"2\""));
        assertTrue(b.refusedWith("ve/Boot <clinit>: the static state of this class would have to be rebuilt for the new view"
                + " (static initialiser changed outside the initialisers of single static fields"), b.result.refusals()::toString);
        assertTrue(b.refusedWith("its static initialiser sets no static field of its own"));
    }

    @Test
    void aFieldReadThroughACompilersAccessorIsReadByTheAccessorsCallers(@TempDir Path tmp) throws Exception {
        String v1 = """
                package va;
                public class Outer {
                    static final class Bag {
                        private static final Bag ZERO = new Bag(0);
                        final int n;
                        Bag(int n) { this.n = n; }
                    }
                    public static int zero() { return Bag.ZERO.n; }
                }
                """;
        DiffHarness d = new DiffHarness(tmp, Map.of("va.Outer", v1), Map.of("va.Outer", v1.replace("new Bag(0)", "new Bag(1)")),
                "--release", "8");
        assertEquals(List.of("zero"), d.classPatch("va/Outer").methods().stream().map(m -> m.name()).toList(),
                "the caller of the synthetic access$000 reads the new view's copy itself");
        byte[] body = d.classPatch("va/Outer").bodyClass();
        assertTrue(DiffHarness.indys(body).stream().anyMatch(i -> i.contains("atlas$view$ZERO")), () -> DiffHarness.indys(body).toString());
    }

    @Test
    void aRemovedStaticInitialiserNeedsNothingWhenItsStaticsAreGoneAndIsRefusedOtherwise(@TempDir Path tmp) throws Exception {
        String v1 = """
                package vr;
                public class Props {
                    static java.util.List<String> KEYS = new java.util.ArrayList<>();
                    static { KEYS.add("a"); }
                    public static int n() { return KEYS.size(); }
                }
                """;
        String gone = "package vr;\npublic class Props {\n    public static int n() { return 1; }\n}\n";
        DiffHarness d = DiffHarness.of(tmp.resolve("a"), "vr.Props", v1, gone);
        assertTrue(d.result.notes().contains("vr/Props: static initialiser removed in the new build, with every static it set"),
                d.result.notes()::toString);
        assertEquals(List.of("n"), d.classPatch("vr/Props").methods().stream().map(m -> m.name()).toList());
        String kept = "package vr;\npublic class Props {\n    static java.util.List<String> KEYS;\n"
                + "    public static int n() { return KEYS == null ? 0 : KEYS.size(); }\n}\n";
        DiffHarness k = DiffHarness.of(tmp.resolve("b"), "vr.Props", v1, kept);
        assertTrue(k.refusedWith("static initialiser removed in the new build, while static field(s) KEYS it set remain"),
                k.result.refusals()::toString);
    }
}
