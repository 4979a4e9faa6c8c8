package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A private method that the new release turns from static into instance, or back (the shape of
 * commons-codec 1.15's {@code Base32.validateCharacter} and commons-csv 1.9's
 * {@code CSVFormat.trim}): the new method is added beside the running one under another name,
 * the patch's calls reach it, the old view keeps the running method. A non-private one stays
 * refused (callers outside the build link to the running kind).
 */
class MethodKindChangePatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String V1 = """
            package kc;
            public class Codec {
                private final int limit;
                public Codec(int limit) { this.limit = limit; }
                private static String check(int v) { return v > 10 ? "big" : "ok"; }
                private String pad(String s) { return "[" + s + "]"; }
                public String encode(int v) { return pad(check(v)); }
            }
            """;
    static final String V2 = """
            package kc;
            public class Codec {
                private final int limit;
                public Codec(int limit) { this.limit = limit; }
                private String check(int v) { return v > limit ? "over " + limit : "ok"; }
                static String pad(String s) { return "<" + s + ">"; }
                public String encode(int v) { return pad(check(v)); }
            }
            """;

    @Test
    void aPrivateMethodThatChangedKindIsAddedBesideTheRunningOne(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("kc.Codec", V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("kc.Codec", V2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("kc/Codec check(I)Ljava/lang/String;: private method changed "
                + "from static to instance; the new view's code calls the new method, added as check$atlas$instance")),
                result.notes()::toString);
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("kc/Codec pad(Ljava/lang/String;)Ljava/lang/String;: private "
                + "method changed from instance to static") && n.contains("links to the running private one and fails")),
                result.notes()::toString);
        Patch patch = result.patchOrThrow();
        ClassPatch cp = patch.classes().getFirst();
        assertEquals(List.of("check$atlas$instance", "pad$atlas$static"), cp.methods().stream()
                .filter(m -> m.kind() == MethodChange.Kind.ADDED).map(MethodChange::name).sorted().toList());

        ClassLoader loader = new InstrumentingLoader("kc-kind", Fixtures.classes(v1), new ClassSelector(List.of("kc.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("kc.Codec");
        Object codec = c.getConstructor(int.class).newInstance(5);
        assertEquals("[ok]", c.getMethod("encode", int.class).invoke(codec, 7));

        pipeline.apply(patch).migration().await(LONG);
        assertEquals("<over 5>", c.getMethod("encode", int.class).invoke(codec, 7), "the new view runs the methods of the new kind");
        assertEquals("<ok>", c.getMethod("encode", int.class).invoke(codec, 3));

        pipeline.rollback().migration().await(LONG);
        assertEquals("[ok]", c.getMethod("encode", int.class).invoke(codec, 7));
    }

    @Test
    void aNonPrivateMethodThatChangedKindStaysRefused(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("kc.Codec", V1.replace("private static String check",
                "static String check")));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("kc.Codec", V2.replace("private String check", "String check")));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertTrue(result.isRefused());
        assertEquals(1, result.refusals().size(), result.refusals()::toString);
        assertTrue(result.refusals().getFirst().toString().contains("check(I)Ljava/lang/String;: method changed between static and "
                + "instance: the running method keeps its kind, so calls compiled against either release would link to the wrong "
                + "one (it is not private, so code outside the build may call it); remedy: restart on the new release"),
                result.refusals()::toString);
    }
}
