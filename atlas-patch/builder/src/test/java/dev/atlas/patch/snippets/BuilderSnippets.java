package dev.atlas.patch.snippets;

import dev.atlas.patch.build.BuildOptions;
import dev.atlas.patch.build.BuildResult;
import dev.atlas.patch.build.PatchBuilder;
import dev.atlas.patch.build.PatchDescription;
import dev.atlas.patch.build.classfile.Remap;
import dev.atlas.patch.build.classfile.StackDepth;
import dev.atlas.patch.format.PatchFile;

import java.lang.classfile.CodeModel;
import java.lang.constant.ClassDesc;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The code of the {@code {@snippet}} examples in atlas-patch-builder's javadoc, by region:
 * compiled with the tests, so an example that no longer compiles fails the build (the
 * javadoc resolves {@code class=dev.atlas.patch.snippets.BuilderSnippets region=...} through
 * {@code --snippet-path src/test/java}).
 */
@SuppressWarnings("unused")
final class BuilderSnippets {
    private BuilderSnippets() {}

    static void stackDepth(CodeModel code) {
        // @start region=stack-depth
        int[] depth = StackDepth.before(code.elementList()); // depth[i]: before the i-th instruction
        // @end
    }

    static void remap() {
        // @start region=remap
        Remap r = Remap.of(Map.of("p/Foo$1", "p/Foo$1$$AtlasPatch$1a2b3c4d"));
        ClassDesc d = r.map(ClassDesc.ofInternalName("p/Foo$1"));
        // @end
    }

    static void patchDescription() throws Exception {
        // @start region=patch-description
        System.out.print(PatchDescription.render(Path.of("fix.atlaspatch")));
        // Patch 3f9c0a17e2d4b851 (format 1): fix rounding
        // Signature: signed by CN=release,O=Acme (not verified by inspect)
        // Changed classes (1):
        //   com.acme.Invoice
        //     expects  9a0c...   new  77be...
        //     replaced  long total()
        //     added     static long round(long, int)
        //     field     + int retries = init$retries(this)
        // @end
    }

    static void patchBuilder() throws Exception {
        // @start region=patch-builder
        BuildResult r = PatchBuilder.diff(Path.of("app-1.0.jar"), Path.of("app-1.0.1.jar"),
                BuildOptions.defaults().withDescription("fix rounding"));
        r.notes().forEach(System.out::println);
        if (!r.isRefused()) {
            PatchFile.write(r.patchOrThrow(), Path.of("fix.atlaspatch"));
        }
        // @end
    }

    static void buildResult(Path oldJar, Path newJar, Path out) throws Exception {
        // @start region=build-result
        BuildResult r = PatchBuilder.diff(oldJar, newJar, BuildOptions.defaults());
        if (r.isRefused()) {
            r.refusals().forEach(System.err::println);
        } else {
            PatchFile.write(r.patch().orElseThrow(), out);
        }
        // @end
    }

    static void buildOptions() {
        // @start region=build-options
        BuildOptions opts = BuildOptions.defaults()
                .withIncludes(List.of("com.acme.**"))
                .withExcludes(List.of("com.acme.generated.*"))
                .withDescription("fix the rounding in Invoice.total()")
                .withClasspath(List.of(Path.of("lib/framework.jar")));
        // @end
    }
}
