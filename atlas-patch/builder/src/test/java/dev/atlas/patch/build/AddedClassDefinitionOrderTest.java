package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.AddedClass;
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
 * Added classes that name each other: the agent links a class it defines through a lookup, and
 * the verifier loads the classes whose assignability it checks, so an added class that returns a
 * new object of another added class as a supertype (commons-compress 1.16's
 * {@code Coders$Deflate64Decoder} and {@code Deflate64CompressorInputStream}) is defined after
 * it; the supertype rule still wins where both name each other.
 */
class AddedClassDefinitionOrderTest extends WithOwnPipeline {
    static final String HOST_V1 = "package ord; public class Host { public static String run() throws Exception { return \"v1\"; } }";
    static final String HOST_V2 = """
            package ord;
            public class Host {
                public static String run() throws Exception { return "v2:" + Alpha.open().read() + ":" + new Zulu().peer(); }
            }
            """;
    /** Sorts first, and needs Beta loaded to verify that a Beta is an InputStream. */
    static final String ALPHA = """
            package ord;
            class Alpha {
                static java.io.InputStream open() { return new Beta(); }
            }
            """;
    static final String BETA = """
            package ord;
            class Beta extends java.io.InputStream {
                @Override public int read() { return 7; }
                Object other() { return new Zulu(); }
            }
            """;
    /** Extends Beta (so after it) while Beta names it. */
    static final String ZULU = """
            package ord;
            class Zulu extends Beta {
                String peer() { return "zulu"; }
            }
            """;

    @Test
    void anAddedClassIsDefinedAfterTheAddedClassesItsVerificationLoads(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ord.Host", HOST_V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ord.Host", HOST_V2, "ord.Alpha", ALPHA, "ord.Beta", BETA,
                "ord.Zulu", ZULU));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();
        List<String> order = patch.addedClasses().stream().map(AddedClass::className)
                .map(n -> n.substring(0, n.indexOf("$$AtlasPatch$"))).toList();
        assertTrue(order.indexOf("ord/Beta") < order.indexOf("ord/Alpha"), order::toString);
        assertTrue(order.indexOf("ord/Beta") < order.indexOf("ord/Zulu"), order::toString);

        ClassLoader loader = new InstrumentingLoader("ord", Fixtures.classes(v1), new ClassSelector(List.of("ord.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> host = loader.loadClass("ord.Host");
        assertEquals("v1", host.getMethod("run").invoke(null));
        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("v2:7:zulu", host.getMethod("run").invoke(null));
    }
}
