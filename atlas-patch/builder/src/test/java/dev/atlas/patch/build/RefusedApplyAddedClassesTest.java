package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An apply refused after it defined classes the patch adds (they are defined before the changed
 * classes are prepared, and no loader undefines a class): the refusal names them instead of
 * claiming that nothing changed, the running code is unchanged, and applying the same patch again
 * reuses them (and defines nothing more).
 */
class RefusedApplyAddedClassesTest extends WithOwnPipeline {
    static final String LIB = """
            package opt;
            public class MissingException extends Exception {
                public static void call() throws MissingException {
                }
            }
            """;
    static final String PARSER_V1 = """
            package ra;
            public class Parser {
                public String parse() { return "old"; }
                public Object problem() throws Exception { opt.MissingException.call(); return new opt.MissingException(); }
            }
            """;
    /** New code whose verification needs the class the process lacks (a handler for it), and an added class. */
    static final String PARSER_V2 = """
            package ra;
            public class Parser {
                public String parse() {
                    try {
                        opt.MissingException.call();
                        return new Helper().name();
                    } catch (opt.MissingException e) {
                        return "failed";
                    }
                }
                public Object problem() throws Exception { opt.MissingException.call(); return new opt.MissingException(); }
            }
            """;
    static final String HELPER = """
            package ra;
            class Helper {
                String name() { return "new"; }
            }
            """;

    @Test
    void aRefusalAfterDefiningAddedClassesNamesThemAndAReapplyReusesThem(@TempDir Path tmp) throws Exception {
        Path lib = Fixtures.compile(tmp.resolve("lib"), Map.of("opt.MissingException", LIB));
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ra.Parser", PARSER_V1), "-cp", lib.toString());
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ra.Parser", PARSER_V2, "ra.Helper", HELPER), "-cp", lib.toString());
        Patch patch = PatchBuilder.diff(v1, v2, BuildOptions.defaults().withClasspath(List.of(lib))).patchOrThrow();
        assertEquals(1, patch.addedClasses().size(), patch.addedClasses()::toString);

        // the process has the application, not its optional library
        ClassLoader loader = new InstrumentingLoader("ra-refused", Fixtures.classes(v1), new ClassSelector(List.of("ra.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> parser = loader.loadClass("ra.Parser");
        Object p = parser.getConstructor().newInstance();
        assertEquals("old", parser.getMethod("parse").invoke(p));

        PatchRejectedException first = assertThrows(PatchRejectedException.class, () -> pipeline.apply(patch));
        assertTrue(first.getMessage().contains("opt/MissingException"), first.getMessage());
        assertEquals(List.of("ra.Helper"), first.classesLeftDefined(), "the added class it defined, named");
        assertEquals("ra.Helper", Class.forName("ra.Helper", false, loader).getName(), "which the loader now has");
        assertEquals("old", parser.getMethod("parse").invoke(p), "the running code is unchanged");

        PatchRejectedException again = assertThrows(PatchRejectedException.class, () -> pipeline.apply(patch));
        assertEquals(List.of(), again.classesLeftDefined(), "the same patch reuses the class: nothing more defined");
        assertEquals("old", parser.getMethod("parse").invoke(p));
    }
}
