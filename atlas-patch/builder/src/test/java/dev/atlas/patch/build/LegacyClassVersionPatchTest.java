package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.Patch;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassTransform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release built for Java 6 (class-file version 50, log4j-core 2.3 -> 2.3.1): a class the patch
 * adds is rewritten with invokedynamic links, which a version-50 class file may not hold, so the
 * builder writes it at version 51 with stack maps, and it verifies.
 */
class LegacyClassVersionPatchTest {
    @TempDir
    Path tmp;

    @Test
    void anAddedClassOfAJava6ReleaseIsWrittenAtVersion51AndVerifies() throws IOException {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("lv.A", "package lv; public class A { public int f() { return 1; } }"),
                "--release", "8");
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of(
                "lv.A", "package lv; public class A { public int f() { return 1; } public int g() { return 2; } }",
                "lv.B", "package lv; public class B { public static int h() { return new A().g(); } }"), "--release", "8");
        toVersion50(v1);
        toVersion50(v2);
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults().withDescription("test"));
        assertFalse(result.isRefused(), result.refusals()::toString);
        Patch patch = result.patchOrThrow();
        AddedClass b = patch.addedClasses().stream().filter(a -> a.className().startsWith("lv/B")).findFirst()
                .orElseThrow(() -> new AssertionError("lv/B not added: " + patch.addedClasses()));
        assertEquals(ClassFile.JAVA_7_VERSION, ClassFile.of().parse(b.bytes()).majorVersion());
        assertTrue(ClassFile.of().verify(b.bytes()).isEmpty(), "verifies");
        assertFalse(DiffHarness.indys(b.bytes()).isEmpty(), "the call of the added A.g() is linked: " + DiffHarness.indys(b.bytes()));
    }

    /** Rewrites every class file under {@code dir} to class-file version 50 (javac 25 cannot target Java 6). */
    private static void toVersion50(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".class")).toList();
        }
        ClassFile cf = ClassFile.of();
        for (Path f : files) {
            byte[] b = cf.transformClass(cf.parse(Files.readAllBytes(f)), ClassTransform.dropping(e -> e instanceof ClassFileVersion)
                    .andThen(ClassTransform.endHandler(clb -> clb.withVersion(ClassFile.JAVA_6_VERSION, 0))));
            Files.write(f, b);
        }
    }
}
