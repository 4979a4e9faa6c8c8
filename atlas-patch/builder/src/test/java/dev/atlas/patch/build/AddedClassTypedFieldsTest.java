package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
 * New fields whose type is a class the same patch adds (an instance field and a static field
 * of an added {@code Counter}): the patch builds, applies, and an object made before the apply
 * gets its new field from the new release's initialiser in the new view; rollback restores the
 * old method.
 */
class AddedClassTypedFieldsTest extends WithOwnPipeline {
    static final String LIB_V1 = """
            package acf;
            public class Lib {
                public int count() { return 0; }
            }
            """;
    static final String LIB_V2 = """
            package acf;
            public class Lib {
                private final Counter mine = new Counter();
                static Counter total = new Counter();
                public int count() { mine.inc(); total.inc(); return mine.n * 100 + total.n; }
            }
            """;
    static final String COUNTER = """
            package acf;
            final class Counter {
                int n;
                void inc() { n++; }
            }
            """;

    @Test
    void fieldsTypedByAnAddedClassTakeEffectOnObjectsMadeBeforeTheApply(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("acf.Lib", LIB_V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("acf.Lib", LIB_V2, "acf.Counter", COUNTER));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();

        ClassLoader loader = new InstrumentingLoader("acf", Fixtures.classes(v1), new ClassSelector(List.of("acf.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> lib = loader.loadClass("acf.Lib");
        Object before = lib.getConstructor().newInstance();
        assertEquals(0, lib.getMethod("count").invoke(before));

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals(101, lib.getMethod("count").invoke(before), "the new fields, initialised for an object made before");
        assertEquals(202, lib.getMethod("count").invoke(before));
        Object after = lib.getConstructor().newInstance();
        assertEquals(103, lib.getMethod("count").invoke(after), "a new object has its own counter; the static one is shared");

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        assertEquals(0, lib.getMethod("count").invoke(before));
    }
}
