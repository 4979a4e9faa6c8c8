package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * The state-transfer hook {@code atlas$transfer} runs in the new view: it may call methods
 * and classes the patch adds and sees the patch's replaced code; a hook that fails leaves
 * the running code and state as they were (apart from what it wrote itself), and the same
 * patch applies once the cause is gone.
 */
class TransferHookTest extends WithOwnPipeline {
    static final String V1 = """
            package th;
            public class Config {
                static String MODE = "old";
                public static String mode() { return MODE; }
                static String label() { return "L1"; }
            }
            """;
    static final String V2 = """
            package th;
            public class Config {
                static String MODE = "new";
                public static String mode() { return MODE; }
                static String label() { return "L2"; }
                static String fresh() { return Helper.prefix() + label(); }
                static void atlas$transfer() {
                    if (Gate.closed) {
                        throw new IllegalStateException("gate closed");
                    }
                    MODE = fresh();
                }
            }
            """;
    static final String HELPER = """
            package th;
            final class Helper {
                static String prefix() { return "new:"; }
            }
            """;
    static final String GATE = """
            package th;
            public final class Gate {
                public static volatile boolean closed;
            }
            """;


    @Test
    void theHookRunsInTheNewViewAndAFailedHookLeavesThePatchApplicableAgain(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("th.Config", V1, "th.Gate", GATE));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("th.Config", V2, "th.Helper", HELPER, "th.Gate", GATE));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();

        ClassLoader loader = new InstrumentingLoader("th-hook", Fixtures.classes(v1),
                new ClassSelector(List.of("th.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> config = loader.loadClass("th.Config");
        Class<?> gate = loader.loadClass("th.Gate");
        assertEquals("old", config.getMethod("mode").invoke(null));

        gate.getField("closed").setBoolean(null, true);
        int appliedBefore = code.applied().size();
        PatchRejectedException e = assertThrows(PatchRejectedException.class, () -> pipeline.apply(patch));
        assertTrue(e.getMessage().contains("state-transfer hook of th.Config failed in the new view: java.lang.IllegalStateException: "
                + "gate closed"), e::getMessage);
        assertTrue(e.getMessage().contains("the patch can be applied again"), e::getMessage);
        assertEquals(appliedBefore, code.applied().size(), "nothing applied");
        assertEquals("old", config.getMethod("mode").invoke(null), "the running state is as it was");

        gate.getField("closed").setBoolean(null, false);
        pipeline.apply(patch).migration().await(LinkedPatchTest.LONG);
        assertEquals("new:L2", config.getMethod("mode").invoke(null),
                "the hook called a method and a class the patch adds, and the replaced label() of the new view");
    }
}
