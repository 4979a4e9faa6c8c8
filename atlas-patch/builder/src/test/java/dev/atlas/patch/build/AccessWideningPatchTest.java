package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Members whose access the new release widens, applied by the runtime: the patch's code in
 * other classes (same package and another package) uses the widened methods and fields of the
 * running classes, whose members keep their narrower access; the old view keeps the old code,
 * and rollback restores it.
 */
class AccessWideningPatchTest extends WithOwnPipeline {
    static final String PARSER_V1 = """
            package wa;
            public class Parser {
                private int limit = 3;
                private static int weight(char c) { return c == 'x' ? 10 : 1; }
                int helper() { return 2; }
                public int score(String s) { int n = 0; for (char c : s.toCharArray()) n += weight(c); return Math.min(n, limit * 10); }
            }
            """;
    static final String PARSER_V2 = """
            package wa;
            public class Parser {
                int limit = 3;
                static int weight(char c) { return c == 'x' ? 10 : 1; }
                public int helper() { return 2; }
                public int score(String s) { int n = 0; for (char c : s.toCharArray()) n += weight(c); return Math.min(n, limit * 10); }
            }
            """;
    static final String TOKENS_V1 = """
            package wa;
            public class Tokens {
                public static String call(Parser p, String s) { return "v1:" + p.score(s); }
            }
            """;
    static final String TOKENS_V2 = """
            package wa;
            public class Tokens {
                public static String call(Parser p, String s) {
                    int w = 0;
                    for (char c : s.toCharArray()) w += Parser.weight(c);
                    p.limit++;
                    return "v2:" + w + "/" + p.limit + "/" + wa.other.Use.helper(p);
                }
            }
            """;
    static final String USE_V1 = "package wa.other; public class Use { public static int helper(wa.Parser p) { return -1; } }";
    static final String USE_V2 = "package wa.other; public class Use { public static int helper(wa.Parser p) { return p.helper(); } }";

    @Test
    void thePatchsCodeUsesMembersWhoseAccessTheNewReleaseWidened(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("wa.Parser", PARSER_V1, "wa.Tokens", TOKENS_V1, "wa.other.Use", USE_V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("wa.Parser", PARSER_V2, "wa.Tokens", TOKENS_V2, "wa.other.Use", USE_V2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("wa/Parser weight(C)I: method modifiers changed (private -> "
                + "package-private)") && n.contains("access widened")), result.notes()::toString);
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("wa/Parser limit: field modifiers changed (private -> "
                + "package-private)")), result.notes()::toString);
        Patch patch = result.patchOrThrow();

        ClassLoader loader = new InstrumentingLoader("wa", Fixtures.classes(v1), new ClassSelector(List.of("wa.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> parser = loader.loadClass("wa.Parser");
        Class<?> tokens = loader.loadClass("wa.Tokens");
        Object p = parser.getConstructor().newInstance();
        assertEquals("v1:12", call(tokens, p, "xab"));

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("v2:12/4/2", call(tokens, p, "xab"), "the private static method, the private field (read and written) "
                + "and, from another package, the package-private method, reached as the new release does");
        assertEquals("v2:1/5/2", call(tokens, p, "a"));
        assertTrue(Modifier.isPrivate(parser.getDeclaredField("limit").getModifiers()), "the running field keeps its access");

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        assertEquals("v1:12", call(tokens, p, "xab"), "rolled back: the old code, with the state the new view left (limit 5)");
    }

    private static Object call(Class<?> tokens, Object parser, String s) throws Exception {
        return tokens.getMethod("call", parser.getClass(), String.class).invoke(null, parser, s);
    }
}
