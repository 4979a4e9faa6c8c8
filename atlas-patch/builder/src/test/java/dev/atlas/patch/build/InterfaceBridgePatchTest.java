package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.MethodModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bridge method that only the new release's interface has (commons-collections4 4.2 was
 * compiled for Java 7, so its {@code BidiMap} had no {@code Collection values()} bridge; 4.3's
 * has): not added, reported, since every implementation has the bridge in its own class chain;
 * refused when an implementation of the new build would run the interface's bridge. The old
 * release is made here by removing the bridge from javac's output, as a Java 7 compiler would
 * not have written it.
 */
class InterfaceBridgePatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final Map<String, String> V1 = Map.of(
            "ib.Source", "package ib; public interface Source { Object value(); }",
            "ib.TextSource", "package ib; public interface TextSource extends Source { String value(); }",
            "ib.Hello", "package ib; public class Hello implements TextSource { public String value() { return \"old\"; } }",
            "ib.User", "package ib; public class User { public static String use(TextSource s) { return \"v1:\" + s.value(); } "
                    + "public static Object raw(Source s) { return s.value(); } }");
    static final Map<String, String> V2 = Map.of(
            "ib.Source", V1.get("ib.Source"),
            "ib.TextSource", V1.get("ib.TextSource"),
            "ib.Hello", V1.get("ib.Hello").replace("\"old\"", "\"new\""),
            "ib.User", V1.get("ib.User").replace("\"v1:\" + s.value()", "\"v2:\" + s.value().length()"));

    @Test
    void aNewInterfaceBridgeThatNoImplementationNeedsIsReportedAndTheRestApplies(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), V1);
        withoutBridges(v1.resolve("ib/TextSource.class"));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), V2);
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("ib/TextSource value()Ljava/lang/Object;: new bridge method of "
                + "the interface; not added")), result.notes()::toString);
        Patch patch = result.patchOrThrow();

        ClassLoader loader = new InstrumentingLoader("ib-bridge", Fixtures.classes(v1), new ClassSelector(List.of("ib.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> hello = loader.loadClass("ib.Hello");
        Class<?> user = loader.loadClass("ib.User");
        Class<?> text = loader.loadClass("ib.TextSource");
        Class<?> source = loader.loadClass("ib.Source");
        Object h = hello.getConstructor().newInstance();
        assertEquals("v1:old", user.getMethod("use", text).invoke(null, h));

        pipeline.apply(patch).migration().await(LONG);
        assertEquals("v2:3", user.getMethod("use", text).invoke(null, h));
        assertEquals("new", user.getMethod("raw", source).invoke(null, h), "a call through the bridged signature reaches the "
                + "class's own bridge");

        pipeline.rollback().migration().await(LONG);
        assertEquals("v1:old", user.getMethod("use", text).invoke(null, h));
    }

    @Test
    void aNewInterfaceBridgeThatAnImplementationWouldRunIsAddedLikeADefaultMethod(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), V1);
        withoutBridges(v1.resolve("ib/TextSource.class"));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), V2);
        withoutBridges(v2.resolve("ib/Hello.class"));   // a class that relies on the interface's bridge
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("ib/TextSource value()Ljava/lang/Object;: new bridge method of the "
                + "interface; added beside the loaded interface")), result.notes()::toString);
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("ib/Hello value()Ljava/lang/Object;: bridge method removed in the "
                + "new build, which inherits a bridge of the same signature instead; kept")), result.notes()::toString);
        Patch patch = result.patchOrThrow();

        ClassLoader loader = new InstrumentingLoader("ib-bridge-added", Fixtures.classes(v1), new ClassSelector(List.of("ib.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> hello = loader.loadClass("ib.Hello");
        Class<?> user = loader.loadClass("ib.User");
        Class<?> source = loader.loadClass("ib.Source");
        Object h = hello.getConstructor().newInstance();
        assertEquals("old", user.getMethod("raw", source).invoke(null, h));
        pipeline.apply(patch).migration().await(LONG);
        assertEquals("new", user.getMethod("raw", source).invoke(null, h), "the kept bridge forwards to the changed method");
        pipeline.rollback().migration().await(LONG);
        assertEquals("old", user.getMethod("raw", source).invoke(null, h));
    }

    private static void withoutBridges(Path classFile) throws Exception {
        ClassFile cf = ClassFile.of();
        byte[] out = cf.transformClass(cf.parse(Files.readAllBytes(classFile)), ClassTransform.dropping(
                e -> e instanceof MethodModel m && (m.flags().flagsMask() & ClassFile.ACC_BRIDGE) != 0));
        Files.write(classFile, out);
    }
}
