package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.jit.JitPriorityWindow;
import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.PackageDefiner;
import dev.atlas.patch.runtime.PatchPipeline;
import dev.atlas.patch.runtime.PatchRejectedException;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classes in a package the old release does not have (commons-text 1.10.0's
 * {@code org.apache.commons.text.numbers}): defined in the loader of the old release's
 * classes, in the new package, with the old release's code source; package-private access
 * among them works, the patch's code reaches them, rollback and re-apply keep working; code
 * views without a way to define into a new package refuse the patch and change nothing.
 */
class NewPackagePatchTest {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String MAIN1 = """
            package np;
            public class Main {
                public static String render(double d) { return "old " + d; }
                public static String unit() { return "kg"; }
            }
            """;
    static final String MAIN2 = MAIN1.replace("return \"old \" + d;", "return np.fmt.Fmt.plain().format(d);");
    static final String FMT = """
            package np.fmt;
            public abstract class Fmt {
                Fmt() {}
                public static Fmt plain() { return new Builder().build(); }
                public abstract String format(double d);
                static final class Plain extends Fmt {
                    private final String prefix;
                    private Plain(String prefix) { this.prefix = prefix; }
                    public String format(double d) { return prefix + d + " " + np.Main.unit(); }
                }
                public static final class Builder {
                    private String prefix = "new ";
                    public Fmt build() { return new Plain(prefix); }
                }
            }
            """;

    private static BuildResult build(Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("np.Main", MAIN1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("np.Main", MAIN2, "np.fmt.Fmt", FMT));
        return PatchBuilder.diff(v1, v2, BuildOptions.defaults());
    }

    @Test
    void classesOfANewPackageAreDefinedInTheOldReleasesLoaderAndReachedByThePatchedCode(@TempDir Path tmp) throws Exception {
        BuildResult result = build(tmp);
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();
        List<AddedClass> added = patch.addedClasses();
        // each after the added classes it extends; Fmt names Fmt$Builder, which names nothing Fmt's placing holds up
        assertEquals(List.of("np/fmt/Fmt$Builder", "np/fmt/Fmt", "np/fmt/Fmt$Plain"),
                added.stream().map(a -> a.className().substring(0, a.className().indexOf("$$AtlasPatch$"))).toList(),
                "each added class after the added classes it extends, and where no cycle prevents it after those it names");
        assertTrue(added.stream().allMatch(a -> a.inNewPackage() && a.hostClassName().equals("np/Main")), added::toString);
        assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("np/fmt: package new in the new build; its classes are "
                + "defined in the loader of the old release's classes")), result.notes()::toString);
        assertTrue(PatchDescription.render(patch).contains("(in a package new to the old release, defined in the class "
                + "loader of np.Main, "), PatchDescription.render(patch));

        Path v1 = tmp.resolve("v1");
        InstrumentingLoader[] loader = new InstrumentingLoader[1];
        PackageDefiner definer = (host, name, bytes) -> loader[0].packageDefiner().define(host, name, bytes);
        try (PatchPipeline pipeline = new PatchPipeline(new CodeViews(definer), JitPriorityWindow.off())) {
            loader[0] = new InstrumentingLoader("np", Fixtures.classes(v1), new ClassSelector(List.of("np.**"), List.of()),
                    new CodeInstrumenter(pipeline.views().registry(), new BoundaryMatcher(List.of())));
            Class<?> main = loader[0].loadClass("np.Main");
            assertEquals("old 1.5", main.getMethod("render", double.class).invoke(null, 1.5));

            pipeline.apply(patch).migration().await(LONG);
            assertEquals("new 1.5 kg", main.getMethod("render", double.class).invoke(null, 1.5),
                    "the new body builds the new package's objects (package-private and private members among them)");
            Class<?> fmt = Class.forName("np.fmt.Fmt", false, loader[0]);   // its own name: the loader had none
            assertThrows(ClassNotFoundException.class, () -> Class.forName(added.getFirst().className().replace('/', '.'),
                    false, loader[0]));
            assertEquals(loader[0], fmt.getClassLoader(), "defined in the loader of the old release's classes");
            assertEquals("np.fmt", fmt.getPackageName());
            assertEquals(main.getProtectionDomain(), fmt.getProtectionDomain(), "with the old release's code source");
            assertFalse(fmt.getPackage().isSealed());

            pipeline.rollback().migration().await(LONG);
            assertEquals("old 1.5", main.getMethod("render", double.class).invoke(null, 1.5));
            pipeline.apply(patch).migration().await(LONG);
            assertEquals("new 1.5 kg", main.getMethod("render", double.class).invoke(null, 1.5),
                    "applied again: the classes defined by the first apply are reused");
        }
    }

    @Test
    void codeViewsWithoutAPackageDefinerRefuseThePatchAndChangeNothing(@TempDir Path tmp) throws Exception {
        Patch patch = build(tmp).patchOrThrow();
        try (PatchPipeline pipeline = new PatchPipeline(new CodeViews(), JitPriorityWindow.off())) {
            InstrumentingLoader loader = new InstrumentingLoader("np-refused", Fixtures.classes(tmp.resolve("v1")),
                    new ClassSelector(List.of("np.**"), List.of()),
                    new CodeInstrumenter(pipeline.views().registry(), new BoundaryMatcher(List.of())));
            Class<?> main = loader.loadClass("np.Main");
            assertEquals("old 1.5", main.getMethod("render", double.class).invoke(null, 1.5));
            PatchRejectedException e = assertThrows(PatchRejectedException.class, () -> pipeline.apply(patch));
            assertTrue(e.getMessage().contains("is in a package that is new to its class loader, and these code views were "
                    + "created without a way to define classes in new packages"), e::getMessage);
            assertEquals("old 1.5", main.getMethod("render", double.class).invoke(null, 1.5));
            assertNull(loader.getDefinedPackage("np.fmt"), "nothing defined");
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        }
    }
}
