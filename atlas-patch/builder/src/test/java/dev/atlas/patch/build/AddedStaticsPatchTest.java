package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.runtime.PatchRejectedException;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static fields a patch adds to a loaded class, valued by the new release's static initialiser
 * (log4j-core 2.17.1's {@code JndiManager.JNDI_*_ENABLED = isJndiEnabled("...")}, read from
 * system properties): the new view values them together, once, in the initialiser's order, at
 * the apply, not one at a time on each one's own first read.
 */
class AddedStaticsPatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);
    static final String A = "atlas.test.addedstatics.A";
    static final String B = "atlas.test.addedstatics.B";

    static final String FLAGS1 = """
            package ast;
            public class Flags {
                static int counter;
                static int next() { return ++counter; }
                public static String a() { return "a=none"; }
                public static String b() { return "b=none"; }
                public static String order() { return "none"; }
            }
            """;
    static final String FLAGS2 = """
            package ast;
            public class Flags {
                static int counter;
                static int next() { return ++counter; }
                private static final boolean A = Boolean.getBoolean("%s");
                private static final boolean B = Boolean.getBoolean("%s");
                static final int FIRST = next();
                static final int SECOND = next();
                public static String a() { return "a=" + A; }
                public static String b() { return "b=" + B; }
                public static String order() { return "second=" + SECOND + ",first=" + FIRST; }
            }
            """.formatted(A, B);

    @Test
    void addedStaticsAreValuedTogetherInTheInitialisersOrderOnTheFirstReadOfAny(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ast.Flags", FLAGS1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ast.Flags", FLAGS2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();
        ClassLoader loader = new InstrumentingLoader("ast-flags", Fixtures.classes(v1),
                new ClassSelector(List.of("ast.**"), List.of()), new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("ast.Flags");
        assertEquals("a=none", c.getMethod("a").invoke(null), "initialised before the patch");
        try {
            System.setProperty(A, "true");
            System.setProperty(B, "true");
            pipeline.apply(patch).migration().await(LONG);
            System.clearProperty(B);
            assertEquals("b=true", c.getMethod("b").invoke(null), "valued at the apply, not on the first read");
            System.clearProperty(A);
            assertEquals("a=true", c.getMethod("a").invoke(null), "A was valued with B, not on its own first read");
            assertEquals("second=2,first=1", c.getMethod("order").invoke(null),
                    "in the order of the new static initialiser, not in the order of the reads");

            pipeline.rollback().migration().await(LONG);
            assertEquals("a=none", c.getMethod("a").invoke(null), "rollback: the old release's code");
        } finally {
            System.clearProperty(A);
            System.clearProperty(B);
        }
        assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("ast/Flags: the static fields the new release adds "
                + "(A, B, FIRST, SECOND) are valued together, once, by their statements of the new release's static "
                + "initialiser, in its order, at the apply if the class is loaded then (a generated atlas$transfer() reads "
                + "them in the new view), else on the first read of any of them in the new view")
                && n.contains("a value they read from system properties, the environment or other mutable state is that "
                + "of that moment")), result.notes()::toString);
        assertTrue(patch.addedClasses().stream().map(AddedClass::className)
                .anyMatch(n -> n.startsWith("ast/Flags$atlas$AddedStatics$$AtlasPatch$")), patch.addedClasses()::toString);
        String described = PatchDescription.render(patch);
        assertTrue(described.contains("Static state:\n  ast.Flags: the static fields the new release adds, A, B, FIRST, "
                + "SECOND, are valued together, once, by their statements of the new release's static initialiser, in its "
                + "order (atlas$initializeAddedStatics, into ast.Flags$atlas$AddedStatics$$AtlasPatch$"), described);
        assertTrue(described.contains("on the first read of any of them in the new view, which its transfer hook, run at "
                + "the apply in the new view, makes if it reads them (the generated one does); not at the class's "
                + "initialisation, which the running release did: what they read from system properties, the environment "
                + "or other mutable state is read then"), described);
    }

    static final String FAILING2 = """
            package ast;
            public class Failing {
                static int calls;
                static int next() { return ++calls; }
                private static final int LIMIT = Integer.parseInt(System.getProperty("%s", "x"));
                private static final String NAME = "n" + next();
                public static String limit() { return LIMIT + NAME; }
                public static String name() { return NAME; }
            }
            """.formatted(A);
    static final String FAILING1 = """
            package ast;
            public class Failing {
                static int calls;
                static int next() { return ++calls; }
                public static String limit() { return "none"; }
                public static String name() { return "none"; }
            }
            """;

    @Test
    void aThrowingStatementRefusesTheApplyAndTheOldReleaseKeepsRunning(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ast.Failing", FAILING1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ast.Failing", FAILING2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        ClassLoader loader = new InstrumentingLoader("ast-failing", Fixtures.classes(v1),
                new ClassSelector(List.of("ast.**"), List.of()), new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("ast.Failing");
        assertEquals("none", c.getMethod("name").invoke(null));
        PatchRejectedException e = assertThrows(PatchRejectedException.class, () -> pipeline.apply(result.patchOrThrow()));
        assertTrue(e.getMessage().contains("state-transfer hook of ast.Failing failed in the new view: "
                + "java.lang.ExceptionInInitializerError"), e::getMessage);
        Throwable cause = e;
        while (cause != null && !(cause instanceof NumberFormatException)) {
            cause = cause.getCause();
        }
        assertTrue(cause != null, () -> "LIMIT's statement threw: " + e);
        assertEquals("none", c.getMethod("name").invoke(null), "nothing applied: the old release runs");
        java.lang.reflect.Field calls = c.getDeclaredField("calls");
        calls.setAccessible(true);
        assertEquals(0, calls.getInt(null), "NAME's statement never ran: the unit stopped at LIMIT's, as a class "
                + "initialisation does");
    }
}
