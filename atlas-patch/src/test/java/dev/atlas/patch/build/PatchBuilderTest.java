package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatchBuilderTest {
    @TempDir
    Path tmp;

    static final String CALC_V1 = """
            package p;
            public class Calc {
                private int base = 10;
                public int add(int a, int b) { return a + b; }
                public static String greet(String who) { return "hello " + who; }
                public int scaled(int x) { return x * base; }
                private int secret() { return 7; }
            }
            """;

    @Test
    void changedBodiesAreReplacedAndRunLikeTheNewBuild() throws Throwable {
        String v2 = CALC_V1.replace("return a + b;", "return a + b + 1;")
                .replace("\"hello \" + who", "\"hi \" + who + \"!\"")
                .replace("return x * base;", "return x * base + secret();");
        DiffHarness h = DiffHarness.of(tmp, "p.Calc", CALC_V1, v2);
        ClassPatch cp = h.classPatch("p/Calc");
        assertEquals(List.of(MethodChange.of(MethodChange.Kind.REPLACED, "add", "(II)I", false),
                MethodChange.of(MethodChange.Kind.REPLACED, "greet", "(Ljava/lang/String;)Ljava/lang/String;", true),
                MethodChange.of(MethodChange.Kind.REPLACED, "scaled", "(I)I", false)), cp.methods());
        assertTrue(cp.addedFields().isEmpty());
        Patch patch = h.patch();
        assertEquals("p/Calc$$AtlasPatch$" + patch.id8(),
                java.lang.classfile.ClassFile.of().parse(cp.bodyClass()).thisClass().asInternalName());

        Object calc = h.v1Class("p.Calc").getConstructor().newInstance();
        MethodHandle add = h.bodyMethod("p.Calc", "replaced$add");
        assertEquals(6, (int) add.invoke(calc, 2, 3));
        assertEquals("hi bob!", (String) h.bodyMethod("p.Calc", "replaced$greet").invoke("bob"));
        assertEquals(37, (int) h.bodyMethod("p.Calc", "replaced$scaled").invoke(calc, 3)); // private field and method
    }

    @Test
    void debugOnlyDifferencesGiveAnEmptyPatchWithANote() {
        String v2 = CALC_V1.replace("public int add", "\n\n   public int add"); // moves line numbers
        DiffHarness h = DiffHarness.of(tmp, "p.Calc", CALC_V1, v2);
        assertTrue(h.patch().isEmpty());
        assertTrue(h.result.notes().stream().anyMatch(n -> n.contains("p/Calc: debug-only differences ignored")), h.result.notes()::toString);
    }
}
