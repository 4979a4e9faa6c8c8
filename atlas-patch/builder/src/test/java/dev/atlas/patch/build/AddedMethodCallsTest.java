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
 * Methods a patch adds, called by code outside the patch: a class compiled against the new
 * release and loaded after the apply reaches them (instance, static, through a subclass), gets
 * {@link NoSuchMethodError} after rollback as with the old release; a class loaded before the
 * apply and reflection do not see them (the stated limits).
 */
class AddedMethodCallsTest extends WithOwnPipeline {
    static final String LIB_V1 = """
            package am;
            public class Lib {
                final int n;
                public Lib(int n) { this.n = n; }
                public int get() { return n; }
                public static class Builder {
                    int v;
                    public Builder set(int v) { this.v = v; return this; }
                    public Lib build() { return new Lib(v); }
                }
            }
            """;
    static final String LIB_V2 = """
            package am;
            public class Lib {
                final int n;
                public Lib(int n) { this.n = n; }
                public int get() { return n; }
                public Lib twice() { return new Lib(n * 2); }
                public static int version() { return 2; }
                public static class Builder {
                    int v;
                    public Builder set(int v) { this.v = v; return this; }
                    public Builder setDouble(int v) { this.v = 2 * v; return this; }
                    public Lib build() { return new Lib(v); }
                }
            }
            """;
    static final String SUB = "package am; public class SubLib extends Lib { public SubLib(int n) { super(n); } }";
    static final String CLIENT = """
            package am;
            public class %s {
                public static String run() {
                    Lib l = new Lib.Builder().setDouble(4).build();
                    return l.twice().get() + " " + Lib.version() + " " + new SubLib(3).twice().get() + " " + new Lib(5).get();
                }
                public static String nullReceiver() {
                    Lib l = null;
                    return String.valueOf(l.twice());
                }
            }
            """;

    @Test
    void classesLoadedAfterTheApplyCallAddedMethodsUntilRollback(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("am.Lib", LIB_V1, "am.SubLib", SUB));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("am.Lib", LIB_V2, "am.SubLib", SUB,
                "am.Client", CLIENT.formatted("Client"), "am.EarlyClient", CLIENT.formatted("EarlyClient")));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults().withExcludes(List.of("am.Client", "am.EarlyClient")));
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();

        Map<String, byte[]> classes = new HashMap<>(Fixtures.classes(v1));
        Map<String, byte[]> compiledAgainstV2 = Fixtures.classes(v2);
        classes.put("am/Client", compiledAgainstV2.get("am/Client"));
        classes.put("am/EarlyClient", compiledAgainstV2.get("am/EarlyClient"));
        ClassLoader loader = new InstrumentingLoader("am-outside", classes, new ClassSelector(List.of("am.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> lib = loader.loadClass("am.Lib");
        loader.loadClass("am.Lib$Builder");
        loader.loadClass("am.SubLib");
        Class<?> early = loader.loadClass("am.EarlyClient");
        assertInstanceOf(NoSuchMethodError.class, failure(early, "run"), "the old release has no such method");

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        Class<?> client = loader.loadClass("am.Client");
        assertEquals("16 2 6 5", client.getMethod("run").invoke(null),
                "added instance, static and Builder methods, and one named through a subclass, reached from outside");
        assertInstanceOf(NullPointerException.class, failure(client, "nullReceiver"));
        assertInstanceOf(NoSuchMethodError.class, failure(early, "run"),
                "a class loaded before the apply is not rewritten (limit: compiled against the old release, it cannot name it)");
        assertThrows(NoSuchMethodException.class, () -> lib.getMethod("twice"), "reflection sees the loaded class's methods");

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        Throwable gone = failure(client, "run");
        assertInstanceOf(NoSuchMethodError.class, gone, "after rollback the call fails as on the old release");
        assertTrue(gone.getMessage().contains("am.Lib$Builder.setDouble(int)"), gone.getMessage());
        assertInstanceOf(NoSuchMethodError.class, failure(client, "nullReceiver"), "resolution fails before the null check");

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("16 2 6 5", client.getMethod("run").invoke(null), "applied again: the same call sites reach it again");
    }

    private static Throwable failure(Class<?> c, String method) {
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> c.getMethod(method).invoke(null));
        return e.getCause();
    }
}
