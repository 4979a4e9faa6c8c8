package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static fields a patch adds, read by code outside the patch: a class compiled against the new
 * release and loaded after the apply reads the added field's value (as commons-codec 1.15's
 * tests read {@code BaseNCodec.CHUNK_SEPARATOR}), and gets {@link NoSuchFieldError} after
 * rollback, as with the old release.
 */
class AddedStaticFieldReadsTest extends WithOwnPipeline {
    static final String LIB_V1 = """
            package asf;
            public class Lib {
                public static int size() { return 1; }
            }
            """;
    static final String LIB_V2 = """
            package asf;
            public class Lib {
                public static final byte[] SEPARATOR = {'\\r', '\\n'};
                static String name = "v2";
                public static int size() { return SEPARATOR.length; }
            }
            """;
    static final String CLIENT = """
            package asf;
            public class Client {
                public static String run() { return Lib.SEPARATOR.length + Lib.name + Lib.size(); }
            }
            """;

    @Test
    void classesLoadedAfterTheApplyReadAddedStaticFieldsUntilRollback(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("asf.Lib", LIB_V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("asf.Lib", LIB_V2, "asf.Client", CLIENT));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults().withExcludes(List.of("asf.Client")));
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();

        Map<String, byte[]> classes = new HashMap<>(Fixtures.classes(v1));
        classes.put("asf/Client", Fixtures.classes(v2).get("asf/Client"));
        ClassLoader loader = new InstrumentingLoader("asf-outside", classes, new ClassSelector(List.of("asf.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        loader.loadClass("asf.Lib");

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        Class<?> client = loader.loadClass("asf.Client");
        assertEquals("2v22", client.getMethod("run").invoke(null), "the added statics, read from outside the patch");

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> client.getMethod("run").invoke(null));
        assertInstanceOf(NoSuchFieldError.class, e.getCause(), "after rollback the read fails as on the old release");
    }
}
