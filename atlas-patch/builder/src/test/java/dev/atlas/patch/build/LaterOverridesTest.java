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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A method a patch adds, overridden by a subclass loaded after the apply (compiled against the
 * new release, as commons-collections4 4.3's tests override {@code ReferenceEntry.onPurge}):
 * calls of the added method on the subclass's objects run the override, from the patch's code
 * and from outside it; on other objects the added body.
 */
class LaterOverridesTest extends WithOwnPipeline {
    static final String LIB_V1 = """
            package lo;
            public class Lib {
                public String describe() { return "d"; }
            }
            """;
    static final String LIB_V2 = """
            package lo;
            public class Lib {
                protected String hook() { return "base"; }
                public String describe() { return "d:" + hook(); }
            }
            """;
    static final String CLIENT = """
            package lo;
            public class Client {
                static class Sub extends Lib {
                    @Override protected String hook() { return "sub"; }
                }
                static class SubSub extends Sub {
                }
                public static String run() {
                    Lib sub = new SubSub();
                    return sub.describe() + " " + new Lib().describe() + " " + sub.hook() + " " + new Lib().hook();
                }
            }
            """;

    @Test
    void anOverrideInAClassLoadedAfterTheApplyRunsForItsObjects(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("lo.Lib", LIB_V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("lo.Lib", LIB_V2, "lo.Client", CLIENT));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults()
                .withExcludes(List.of("lo.Client", "lo.Client$Sub", "lo.Client$SubSub")));
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();

        Map<String, byte[]> classes = new HashMap<>(Fixtures.classes(v1));
        Map<String, byte[]> later = Fixtures.classes(v2);
        for (String c : List.of("lo/Client", "lo/Client$Sub", "lo/Client$SubSub")) {
            classes.put(c, later.get(c));
        }
        ClassLoader loader = new InstrumentingLoader("lo-outside", classes, new ClassSelector(List.of("lo.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        loader.loadClass("lo.Lib");

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("d:sub d:base sub base", loader.loadClass("lo.Client").getMethod("run").invoke(null),
                "the patch's describe() and the outside call reach the subclass's override; Lib's own objects the added body");
    }
}
