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
import java.lang.classfile.instruction.FieldInstruction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release compiled for Java 8 reaches an outer class's private fields through the
 * compiler's accessors ({@code static synthetic int access$000(Outer)}), which each build
 * numbers anew (commons-net 3.9.0's {@code SubnetUtils.access$400} reads {@code network} where
 * 3.8.0's read {@code address}): a patch replaces the changed accessors, and the new view's
 * code reads the fields the new release reads.
 */
class CompilerAccessorPatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String SUBNET1 = """
            package acc;
            public class Subnet {
                private final int address;
                private final int network;
                public Subnet(int address, int network) { this.address = address; this.network = network; }
                public Info info() { return new Info(); }
                public final class Info {
                    public int low() { return address + 1; }
                    public int net() { return network; }
                }
            }
            """;
    /** The inner class's methods in the other order: javac numbers the accessors the other way round. */
    static final String SUBNET2 = SUBNET1.replace("""
                    public int low() { return address + 1; }
                    public int net() { return network; }
            """, """
                    public int net() { return network; }
                    public int low() { return address + 2; }
            """);

    @Test
    void renumberedAccessorsAreReplacedSoTheNewCodeReadsTheNewReleasesFields(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("acc.Subnet", SUBNET1), "--release", "8");
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("acc.Subnet", SUBNET2), "--release", "8");
        assertEquals("address", accessorField(v1), "javac's numbering in the old release");
        assertEquals("network", accessorField(v2), "and in the new one: access$000 reads another field");

        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();
        String described = PatchDescription.render(patch);
        assertTrue(described.contains("replaced  static int access$000(acc.Subnet)"), described);

        ClassLoader loader = new InstrumentingLoader("acc", Fixtures.classes(v1), new ClassSelector(List.of("acc.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> subnet = loader.loadClass("acc.Subnet");
        Object before = subnet.getConstructor(int.class, int.class).newInstance(10, 20);
        Object info = subnet.getMethod("info").invoke(before);
        Class<?> infoClass = info.getClass();
        assertEquals(11, infoClass.getMethod("low").invoke(info));
        assertEquals(20, infoClass.getMethod("net").invoke(info));

        pipeline.apply(patch).migration().await(LONG);
        assertEquals(20, infoClass.getMethod("net").invoke(info), "net() reads network through the new access$000");
        assertEquals(12, infoClass.getMethod("low").invoke(info), "low() reads address through the new access$100");

        pipeline.rollback().migration().await(LONG);
        assertEquals(11, infoClass.getMethod("low").invoke(info), "the old view's accessors after a rollback");
        assertEquals(20, infoClass.getMethod("net").invoke(info));
    }

    /** The field {@code acc/Subnet.access$000} reads in the build under {@code dir}. */
    private static String accessorField(Path dir) throws Exception {
        var model = ClassFile.of().parse(Files.readAllBytes(dir.resolve("acc/Subnet.class")));
        var m = model.methods().stream().filter(x -> x.methodName().equalsString("access$000")).findFirst().orElseThrow();
        return m.code().orElseThrow().elementStream().filter(e -> e instanceof FieldInstruction)
                .map(e -> ((FieldInstruction) e).name().stringValue()).findFirst().orElseThrow();
    }
}
