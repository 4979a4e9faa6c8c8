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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * javac's constructor access tag (class files before nestmates): a private constructor of a
 * nested class is reached through a synthetic one taking {@code Outer$1}, passed {@code null}.
 * When the new release reuses {@code Outer$1} for a switch map (commons-compress 1.16's
 * {@code ZipArchiveInputStream$1}), the patch adds it under its own name, and the new code's call
 * of the unchanged {@code Entry.<init>(Outer$1)} keeps the running constructor's descriptor.
 */
class AccessTagPatchTest extends WithOwnPipeline {
    static final String OUTER_V1 = """
            package tag;
            public class Outer {
                private static class Entry { int n = 1; private Entry() {} }
                public static int run() { return new Entry().n; }
            }
            """;
    /** A separate enum: javac switches on it through a switch map in Outer$1, which it reuses as the tag. */
    static final String KIND = "package tag; public enum Kind { A, B }";
    static final String OUTER_V2 = """
            package tag;
            public class Outer {
                private static class Entry { int n = 1; private Entry() {} }
                public static int run() {
                    Kind k = Kind.values()[1];
                    switch (k) {
                        case A: return 10;
                        default: return new Entry().n + 1;
                    }
                }
            }
            """;

    @Test
    void aCallOfARunningConstructorThroughTheAccessTagKeepsTheRunningDescriptor(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("tag.Outer", OUTER_V1), "--release", "8", "-Xlint:-options");
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("tag.Outer", OUTER_V2, "tag.Kind", KIND), "--release", "8", "-Xlint:-options");
        assertTrue(Fixtures.classes(v1).containsKey("tag/Outer$1"), "javac made no access tag: " + Fixtures.classes(v1).keySet());
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();
        assertTrue(patch.addedClasses().stream().anyMatch(a -> a.className().startsWith("tag/Outer$1$$AtlasPatch$")),
                () -> "the switch map is added under the patch's name: " + patch.addedClasses());

        ClassLoader loader = new InstrumentingLoader("tag", Fixtures.classes(v1), new ClassSelector(List.of("tag.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> outer = loader.loadClass("tag.Outer");
        assertEquals(1, outer.getMethod("run").invoke(null));
        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals(2, outer.getMethod("run").invoke(null), "the new code constructs through the running access constructor");
    }
}
