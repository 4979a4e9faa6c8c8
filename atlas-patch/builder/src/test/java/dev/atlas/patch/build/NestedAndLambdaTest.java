package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.format.AddedClass;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.MethodChange;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NestedAndLambdaTest {
    @TempDir
    Path tmp;

    static final String LAMBDAS_V1 = """
            package p;
            import java.util.function.*;
            public class Lambdas {
                private int factor = 3;
                public Supplier<String> first() { return () -> "first"; }
                public IntUnaryOperator second() { return x -> x * factor; }
                public static Function<String, Integer> third() { return String::length; }
            }
            """;

    static List<String> methodNames(ClassPatch cp) {
        return cp.methods().stream().map(MethodChange::name).toList();
    }

    @Test
    void renumberedLambdasDoNotCountAsChanges() {
        // a new lambda before the others shifts every lambda$ number
        String v2 = LAMBDAS_V1.replace("public Supplier<String> first()",
                "public Runnable zeroth() { return () -> System.out.println(\"zero\"); }\n public Supplier<String> first()");
        DiffHarness h = DiffHarness.of(tmp, "p.Lambdas", LAMBDAS_V1, v2);
        ClassPatch cp = h.classPatch("p/Lambdas");
        assertEquals(List.of("zeroth"), methodNames(cp));
        assertTrue(DiffHarness.methodNames(cp.bodyClass()).contains("added$zeroth"));
    }

    @Test
    void changedLambdaReplacesItsEnclosingMethodAndRunsFromACopy() throws Throwable {
        String v2 = LAMBDAS_V1.replace("x -> x * factor", "x -> x * factor + 1");
        DiffHarness h = DiffHarness.of(tmp, "p.Lambdas", LAMBDAS_V1, v2);
        ClassPatch cp = h.classPatch("p/Lambdas");
        assertEquals(List.of("second"), methodNames(cp));
        List<String> bodyMethods = DiffHarness.methodNames(cp.bodyClass());
        assertTrue(bodyMethods.stream().anyMatch(n -> n.startsWith("lambda$second$")), bodyMethods::toString);
        List<String> indys = DiffHarness.indys(cp.bodyClass());
        assertTrue(indys.stream().anyMatch(i -> i.startsWith("metafactory applyAsInt (Lp/Lambdas;)") && i.contains("STATIC/")
                && i.contains("$$AtlasPatch$")), indys::toString);
        Object lambdas = h.v1Class("p.Lambdas").getConstructor().newInstance();
        java.util.function.IntUnaryOperator op =
                (java.util.function.IntUnaryOperator) h.bodyMethod("p.Lambdas", "replaced$second").invoke(lambdas);
        assertEquals(7, op.applyAsInt(2)); // 2 * 3 + 1, reading the private field through the copy
    }

    @Test
    void newLambdaInNewCodeWorks() throws Throwable {
        String v2 = LAMBDAS_V1.replace("() -> \"first\"", "() -> \"first:\" + factor");
        DiffHarness h = DiffHarness.of(tmp, "p.Lambdas", LAMBDAS_V1, v2);
        Object lambdas = h.v1Class("p.Lambdas").getConstructor().newInstance();
        @SuppressWarnings("unchecked")
        Supplier<String> s = (Supplier<String>) h.bodyMethod("p.Lambdas", "replaced$first").invoke(lambdas);
        assertEquals("first:3", s.get());
    }

    static final String ANON_V1 = """
            package p;
            public class Shapes {
                public Object one() { return new Object() { public String toString() { return "one"; } }; }
                public Object two() { return new Object() { public String toString() { return "two"; } }; }
                public static class Inner { public int size() { return 1; } }
            }
            """;

    @Test
    void renumberedAnonymousClassesAreMatchedByContent() {
        // a new anonymous class first: Shapes$1 is new, old $1 and $2 are now $2 and $3
        String v2 = ANON_V1.replace("public Object one()",
                "public Object zero() { return new Object() { public String toString() { return \"zero\"; } }; }\n public Object one()");
        DiffHarness h = DiffHarness.of(tmp, "p.Shapes", ANON_V1, v2);
        ClassPatch cp = h.classPatch("p/Shapes");
        assertEquals(List.of("zero"), methodNames(cp), "one() and two() must not change: their classes were renumbered only");
        assertEquals(1, h.patch().classes().size());
        List<AddedClass> added = h.patch().addedClasses();
        assertEquals(1, added.size());
        assertEquals("p/Shapes$1$$AtlasPatch$" + h.patch().id8(), added.getFirst().className());
        assertEquals("p/Shapes", added.getFirst().hostClassName());
        // the added method creates the renamed class
        assertTrue(new String(cp.bodyClass(), java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains("p/Shapes$1$$AtlasPatch$" + h.patch().id8()));
    }

    @Test
    void changedAnonymousAndInnerClassesArePatchedInPlace() {
        String v2 = ANON_V1.replace("return \"two\";", "return \"TWO\";").replace("return 1;", "return 2;");
        DiffHarness h = DiffHarness.of(tmp, "p.Shapes", ANON_V1, v2);
        assertEquals(List.of("p/Shapes$2", "p/Shapes$Inner"),
                h.patch().classes().stream().map(ClassPatch::className).toList());
        assertEquals(List.of("toString"), methodNames(h.classPatch("p/Shapes$2")));
        assertEquals(List.of("size"), methodNames(h.classPatch("p/Shapes$Inner")));
        assertTrue(h.patch().addedClasses().isEmpty());
    }

    @Test
    void reshapedAnonymousClassBecomesAnAddedClass() {
        // the anonymous class now captures a variable: a new field, so it is added under a new name
        String v2 = ANON_V1.replace("public Object two() { return new Object() { public String toString() { return \"two\"; } }; }",
                "public Object two() { String s = \"two\".repeat(2); return new Object() { public String toString() { return s; } }; }");
        DiffHarness h = DiffHarness.of(tmp, "p.Shapes", ANON_V1, v2);
        assertEquals(List.of("two"), methodNames(h.classPatch("p/Shapes")));
        assertEquals(List.of("p/Shapes$2$$AtlasPatch$" + h.patch().id8()),
                h.patch().addedClasses().stream().map(AddedClass::className).toList());
        assertTrue(h.result.notes().stream().anyMatch(n -> n.startsWith("p/Shapes$2: class removed")), h.result.notes()::toString);
    }

    @Test
    void addedClassesAreRenamedWithEveryReference() throws Throwable {
        Map<String, String> v1 = Map.of("p.App", "package p; public class App { public String run() { return \"v1\"; } }");
        Map<String, String> v2 = Map.of("p.App", "package p; public class App { public String run() { return new Helper().help(); } }",
                "p.Helper", "package p; class Helper { String help() { return \"helped\"; } }");
        DiffHarness h = new DiffHarness(tmp, v1, v2);
        String renamed = "p/Helper$$AtlasPatch$" + h.patch().id8();
        AddedClass helper = h.patch().addedClasses().getFirst();
        assertEquals(renamed, helper.className());
        assertEquals(renamed, java.lang.classfile.ClassFile.of().parse(helper.bytes()).thisClass().asInternalName());
        // define it as the runtime would, then run the replaced body that uses it
        Class<?> app = h.v1Class("p.App");
        java.lang.invoke.MethodHandles.Lookup base = (java.lang.invoke.MethodHandles.Lookup)
                app.getClassLoader().loadClass("p.AtlasTestLookup").getMethod("get").invoke(null);
        java.lang.invoke.MethodHandles.privateLookupIn(app, base).defineClass(helper.bytes());
        Object instance = app.getConstructor().newInstance();
        assertEquals("helped", h.bodyMethod("p.App", "replaced$run").invoke(instance));
    }

    @Test
    void serializableLambdaInNewCodeIsRefused() {
        String v2 = LAMBDAS_V1.replace("return () -> \"first\";",
                "return (Supplier<String> & java.io.Serializable) () -> \"first!\";");
        DiffHarness h = DiffHarness.of(tmp, "p.Lambdas", LAMBDAS_V1, v2);
        assertTrue(h.refusedWith("serializable lambda in new code"), h.result.refusals()::toString);
    }
}
