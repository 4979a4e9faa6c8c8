package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Constructors a patch adds, called by code outside the patch: {@code new C(..)} in a class
 * compiled against the new release and loaded after the apply builds the object with the
 * added constructor (nested in another construction, in a branch, beside constructors of the
 * same descriptor that other classes have), and fails with {@link NoSuchMethodError} after
 * rollback, as with the old release.
 */
class AddedConstructorCallsTest extends WithOwnPipeline {
    static final String LIB_V1 = """
            package ac;
            public class Lib {
                final int n;
                public Lib(int n) { this.n = n; }
                public int get() { return n; }
            }
            """;
    static final String LIB_V2 = """
            package ac;
            public class Lib {
                final int n;
                public Lib(int n) { this.n = n; }
                public Lib(String digits) { this(Integer.parseInt(digits) * 10); }
                public int get() { return n; }
            }
            """;
    static final String CLIENT = """
            package ac;
            public class Client {
                public static String run(boolean b) {
                    Lib a = new Lib("4");
                    Lib c = new Lib(new Lib(b ? new Lib("2").get() : new Lib(5).get()).get() + new Lib("1").get());
                    StringBuilder same = new StringBuilder("x");   // (String) of another class: linked as it is
                    return a.get() + " " + c.get() + " " + same;
                }
            }
            """;

    @Test
    void classesLoadedAfterTheApplyConstructWithAddedConstructorsUntilRollback(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ac.Lib", LIB_V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ac.Lib", LIB_V2, "ac.Client", CLIENT));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults().withExcludes(List.of("ac.Client")));
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();

        Map<String, byte[]> classes = new HashMap<>(Fixtures.classes(v1));
        classes.put("ac/Client", Fixtures.classes(v2).get("ac/Client"));
        ClassLoader loader = new InstrumentingLoader("ac-outside", classes, new ClassSelector(List.of("ac.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        loader.loadClass("ac.Lib");

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        Class<?> client = loader.loadClass("ac.Client");
        assertEquals("40 30 x", client.getMethod("run", boolean.class).invoke(null, true),
                "new Lib(String) from outside, nested and in a branch; new StringBuilder(String) untouched");
        assertEquals("40 15 x", client.getMethod("run", boolean.class).invoke(null, false));

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        InvocationTargetException e = assertThrows(InvocationTargetException.class,
                () -> client.getMethod("run", boolean.class).invoke(null, true));
        assertInstanceOf(NoSuchMethodError.class, e.getCause(), "after rollback the construction fails as on the old release");
        assertTrue(e.getCause().getMessage().contains("ac.Lib.<init>(java.lang.String)"), e.getCause().getMessage());

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("40 30 x", client.getMethod("run", boolean.class).invoke(null, true), "applied again");
    }
}
