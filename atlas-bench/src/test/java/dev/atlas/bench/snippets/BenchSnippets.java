package dev.atlas.bench.snippets;

import dev.atlas.bench.patch.BodyCompiler;
import dev.atlas.bench.patch.EnduranceRun;
import dev.atlas.bench.patch.EnduranceRun.Sample;
import dev.atlas.bench.patch.Op;
import dev.atlas.bench.patch.PatchedTarget;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The code of the {@code {@snippet}} examples in atlas-bench's javadoc, by region: compiled
 * with the tests, so an example that no longer compiles fails the build (the javadoc run
 * after test-compile resolves the regions through {@code --snippet-path}).
 */
@SuppressWarnings("unused")
final class BenchSnippets {
    private BenchSnippets() {}

    static void patchedTarget() throws Exception {
        // @start region=patched-target
        PatchedTarget t = PatchedTarget.load();          // Target instrumented (once per JVM)
        Op op = t.newInstance(7);
        op.m(1, 2);                                       // PatchedTarget.original(7, 1, 2): the guard is a constant null
        t.apply(Duration.ofSeconds(10));                  // every thread moves to the patch's view
        op.m(1, 2);                                       // PatchedTarget.patched(7, 1, 2)
        PatchedTarget.rollback(Duration.ofSeconds(10));   // back to the base view; the guard stays on
        // @end
    }

    static byte[] bodyCompiler(String source, Path classFileOfC) throws Exception {
        // @start region=body-compiler
        byte[] body = BodyCompiler.compile("p.C$$AtlasPatch$x", source,
                Map.of("p.C", Files.readAllBytes(classFileOfC)));
        // @end
        return body;
    }

    static double enduranceRun() throws Exception {
        // @start region=endurance-run
        EnduranceRun.Result r = EnduranceRun.run(50, 10, 2, s -> {});
        r.wrong();                          // requests that saw neither the original nor the patched result
        r.slope(Sample::classes, 20);       // least-squares growth per cycle over the samples from cycle 20 on
        // @end
        return r.slope(Sample::classes, 20);
    }
}
