package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.classfile.ClassFile;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.ReturnInstruction;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Constructors a patch adds, and constructors whose {@code super(..)}/{@code this(..)} call goes
 * to another constructor, built from two compiled versions and run through the class's
 * re-routing guards of its constructors: new code creates objects with the new constructors, final fields
 * are set (with the freeze's release fence), objects created before keep their state, and
 * after rollback new objects are built by the old constructors again.
 */
class NewConstructorPatchTest extends WithOwnPipeline {
    static final String SHAPE = """
            package nc;
            public abstract class Shape {
                protected final String kind;
                protected Shape() { this.kind = "shape"; }
                protected Shape(String kind) { this.kind = kind; }
            }
            """;
    static final String V1 = """
            package nc;
            public class Point extends Shape {
                private final int x;
                private final int y;
                public Point(int x, int y) { super("point"); this.x = x; this.y = y; }
                public String describe() { return kind + "(" + x + "," + y + ")"; }
                public static Point of(String spec) { return new Point(spec.length(), 0); }
                public static Point diagonal(int v) { return new Point(v, v); }
                public static Point labelled(int x, int y, String label) { return new Point(x, y); }
            }
            """;
    static final String V2 = """
            package nc;
            public class Point extends Shape {
                private final int x;
                private final int y;
                public Point(int x, int y) { super("point"); this.x = x; this.y = y; }
                public Point(int v) { this(v, v); }
                public Point(String spec) { this(Integer.parseInt(spec.trim())); }
                public Point(int x, int y, String label) {
                    super(label == null ? "point" : label);
                    if (x < 0) { throw new IllegalArgumentException("x < 0"); }
                    this.x = x;
                    this.y = y;
                }
                public String describe() { return kind + "(" + x + "," + y + ")"; }
                public static Point of(String spec) { return new Point(spec); }
                public static Point diagonal(int v) { return new Point(v); }
                public static Point labelled(int x, int y, String label) { return new Point(x, y, label); }
            }
            """;

    private ClassLoader load(String name, Path build) {
        return new InstrumentingLoader(name, Fixtures.classes(build), new ClassSelector(List.of("nc.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
    }

    @Test
    void newConstructorsRunForObjectsThePatchedCodeCreates(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("nc.Shape", SHAPE, "nc.Point", V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("nc.Shape", SHAPE, "nc.Point", V2));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        ClassPatch cp = result.patchOrThrow().classes().getFirst();
        assertEquals(List.of("ADDED <init>(I)V this(II)V", "ADDED <init>(IILjava/lang/String;)V super(Ljava/lang/String;)V",
                        "ADDED <init>(Ljava/lang/String;)V this(I)V"),
                cp.methods().stream().filter(m -> m.name().equals("<init>"))
                        .map(m -> m.kind() + " " + m.name() + m.descriptor() + " " + m.initCall()).sorted().toList());
        assertReleaseFenceBeforeEveryReturn(cp.bodyClass(), "added$$init");

        ClassLoader loader = load("nc-new", v1);
        Class<?> point = loader.loadClass("nc.Point");
        Object before = LinkedPatchTest.call(point, null, "diagonal", 3);
        assertEquals("point(3,3)", LinkedPatchTest.call(point, before, "describe"));
        assertEquals("point(2,0)", LinkedPatchTest.call(point, LinkedPatchTest.call(point, null, "of", "42"), "describe"));

        pipeline.apply(result.patchOrThrow()).migration().await(ConstructorPatchTest.LONG);
        Object diagonal = LinkedPatchTest.call(point, null, "diagonal", 4);
        assertEquals("point(4,4)", LinkedPatchTest.call(point, diagonal, "describe"), "this(..) to a constructor the class had");
        assertEquals("point(42,42)", LinkedPatchTest.call(point, LinkedPatchTest.call(point, null, "of", " 42"), "describe"),
                "this(..) to another new constructor");
        Object labelled = LinkedPatchTest.call(point, null, "labelled", 1, 2, "pin");
        assertEquals("pin(1,2)", LinkedPatchTest.call(point, labelled, "describe"), "super(..) of the superclass, final fields set");
        assertEquals(point, labelled.getClass());
        var thrown = assertThrows(java.lang.reflect.InvocationTargetException.class,
                () -> LinkedPatchTest.call(point, null, "labelled", -1, 2, "pin"));
        assertEquals("x < 0", thrown.getCause().getMessage(), "the new constructor's own check throws to the caller");
        assertEquals("point(3,3)", LinkedPatchTest.call(point, before, "describe"), "an object created before keeps its state");

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        assertEquals("point(1,2)", LinkedPatchTest.call(point, LinkedPatchTest.call(point, null, "labelled", 1, 2, "pin"),
                "describe"), "after rollback the old code runs the old constructors");
        assertEquals("pin(1,2)", LinkedPatchTest.call(point, labelled, "describe"), "objects built in the new view keep their state");
    }

    @Test
    void aConstructorWhoseSuperOrThisCallChangedRunsTheNewCallInTheNewViewOnly(@TempDir Path tmp) throws Exception {
        String second = "public Point(long v) { super(); this.x = (int) v; this.y = 0; } public String describe()";
        String v1 = V1.replace("public Point(int x, int y) { super(\"point\");", "public Point(int x, int y) { super();")
                .replace("public String describe()", second);
        String sub = """
                package nc;
                public class Pixel extends Point {
                    public Pixel(int v) { super(v, v); }
                }
                """;
        Path b1 = Fixtures.compile(tmp.resolve("v1"), Map.of("nc.Shape", SHAPE, "nc.Point", v1, "nc.Pixel", sub));
        Path b2 = Fixtures.compile(tmp.resolve("v2"), Map.of("nc.Shape", SHAPE, "nc.Point", V1.replace("super(\"point\");",
                "super(x == y ? \"square\" : \"point\");").replace("public String describe()",
                second.replace("super();", "super(\"long\");")), "nc.Pixel", sub));
        BuildResult result = PatchBuilder.diff(b1, b2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertEquals(List.of("REPLACED (II)V super(Ljava/lang/String;)V", "REPLACED (J)V super(Ljava/lang/String;)V"),
                result.patchOrThrow().classes().getFirst().methods().stream().filter(m -> m.name().equals("<init>"))
                        .map(m -> m.kind() + " " + m.descriptor() + " " + m.initCall()).sorted().toList());

        ClassLoader loader = load("nc-reroute", b1);
        Class<?> point = loader.loadClass("nc.Point");
        Class<?> pixel = loader.loadClass("nc.Pixel");
        Object before = point.getConstructor(int.class, int.class).newInstance(1, 1);
        assertEquals("shape(1,1)", LinkedPatchTest.call(point, before, "describe"));

        pipeline.apply(result.patchOrThrow()).migration().await(ConstructorPatchTest.LONG);
        assertEquals("square(2,2)", LinkedPatchTest.call(point, point.getConstructor(int.class, int.class).newInstance(2, 2),
                "describe"), "unchanged callers (reflection here) get the new super(..) call");
        assertEquals("point(2,3)", LinkedPatchTest.call(point, LinkedPatchTest.call(point, null, "labelled", 2, 3, "x"), "describe"));
        Object px = pixel.getConstructor(int.class).newInstance(5);
        assertEquals(pixel, px.getClass());
        assertEquals("square(5,5)", LinkedPatchTest.call(point, px, "describe"), "a subclass's unchanged super(..) is re-routed too");
        assertEquals("shape(1,1)", LinkedPatchTest.call(point, before, "describe"), "an object created before keeps its state");
        assertEquals("long(7,0)", LinkedPatchTest.call(point, point.getConstructor(long.class).newInstance(7L), "describe"),
                "a constructor other than the class's first hands its construction to the first one's guard");

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        assertEquals("shape(7,0)", LinkedPatchTest.call(point, point.getConstructor(long.class).newInstance(7L), "describe"));
        assertEquals("shape(2,2)", LinkedPatchTest.call(point, point.getConstructor(int.class, int.class).newInstance(2, 2),
                "describe"), "after rollback the old super(..) call again");
    }

    @Test
    void whatTheConstructionConstructorCannotRunIsRefusedWithTheReasonAndRemedy(@TempDir Path tmp) throws Exception {
        String outer1 = """
                package nc;
                public class Outer {
                    int base = 1;
                    public class Inner { final int v; public Inner(int v) { this.v = v; } }
                    public Inner make() { return new Inner(1); }
                }
                """;
        String outer2 = outer1.replace("public Inner(int v) { this.v = v; }",
                "public Inner(int v) { this.v = v; } public Inner(String s) { v = s.length(); }").replace("new Inner(1)", "new Inner(\"ab\")");
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("nc.Outer", outer1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("nc.Outer", outer2));
        BuildResult inner = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertTrue(inner.isRefused());
        assertTrue(inner.refusals().toString().contains("nc/Outer$Inner <init>(Lnc/Outer;Ljava/lang/String;)V: new constructor whose code before "
                + "its super(..)/this(..) call does more than compute the call's arguments"), inner.refusals()::toString);
        assertTrue(inner.refusals().toString().contains("remedy: restart on the new release"), inner.refusals()::toString);

    }

    @Test
    void aSuperCallOfAConstructorThePatchAddsToTheSuperclassGoesThroughTheSuperclasssEntryConstructor(@TempDir Path tmp)
            throws Exception {
        String point2 = V2.replace("public Point(int v) { this(v, v); }", "public Point(int v) { this(v, v); } "
                + "protected Point(String a, String b) { super(a + b); x = 0; y = 0; }")
                .replace("return new Point(v);", "return v < 0 ? new Dot() : new Point(v);");
        String sub1 = "package nc; public class Pixel extends Point { public Pixel(int v) { super(v, v); } }";
        String sub2 = "package nc; public class Pixel extends Point { public Pixel(int v) { super(\"p\", \"x\"); } }";
        String dot = "package nc; public class Dot extends Point { public Dot() { super(\"d\", \"ot\"); } }";
        Path s1 = Fixtures.compile(tmp.resolve("s1"), Map.of("nc.Shape", SHAPE, "nc.Point", V1, "nc.Pixel", sub1));
        Path s2 = Fixtures.compile(tmp.resolve("s2"), Map.of("nc.Shape", SHAPE, "nc.Point", point2, "nc.Pixel", sub2, "nc.Dot", dot));
        BuildResult result = PatchBuilder.diff(s1, s2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());

        ClassLoader loader = load("nc-super-added", s1);
        Class<?> point = loader.loadClass("nc.Point");
        Class<?> pixel = loader.loadClass("nc.Pixel");
        assertEquals("point(3,3)", LinkedPatchTest.call(point, pixel.getConstructor(int.class).newInstance(3), "describe"));

        pipeline.apply(result.patchOrThrow()).migration().await(ConstructorPatchTest.LONG);
        Object px = pixel.getConstructor(int.class).newInstance(3);
        assertEquals(pixel, px.getClass());
        assertEquals("px(0,0)", LinkedPatchTest.call(point, px, "describe"),
                "a changed subclass constructor's super(..) of the added constructor, through Point's entry constructor");
        Object d = LinkedPatchTest.call(point, null, "diagonal", -1);
        assertEquals("nc.Dot", d.getClass().getName());
        assertEquals("dot(0,0)", LinkedPatchTest.call(point, d, "describe"), "an added subclass's super(..) of the added constructor");
        assertEquals("point(2,2)", LinkedPatchTest.call(point, LinkedPatchTest.call(point, null, "diagonal", 2), "describe"));

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        assertEquals("point(3,3)", LinkedPatchTest.call(point, pixel.getConstructor(int.class).newInstance(3), "describe"),
                "after rollback the old super(..) call again");
        assertEquals("px(0,0)", LinkedPatchTest.call(point, px, "describe"), "objects built in the new view keep their state");
    }

    @Test
    void instrumentingAddsNoMemberSoReflectionSeesTheClassAsItWas(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("nc.Shape", SHAPE, "nc.Point", V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("nc.Shape", SHAPE, "nc.Point", V2));
        Patch patch = PatchBuilder.diff(v1, v2, BuildOptions.defaults()).patchOrThrow();
        Class<?> point = load("nc-reflect", v1).loadClass("nc.Point");
        assertEquals(1, point.getDeclaredConstructors().length, "a test that counts constructors still sees one");
        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals(1, point.getDeclaredConstructors().length, "the added constructors are not members of the loaded class");
        assertEquals("point(6,6)", LinkedPatchTest.call(point, LinkedPatchTest.call(point, null, "of", "6"), "describe"));
    }

    /** Every return of the body methods named {@code name} is preceded by {@code VarHandle.releaseFence()}. */
    static void assertReleaseFenceBeforeEveryReturn(byte[] bodyClass, String name) {
        int bodies = 0;
        for (MethodModel m : ClassFile.of().parse(bodyClass).methods()) {
            if (!m.methodName().equalsString(name)) {
                continue;
            }
            bodies++;
            var code = m.code().orElseThrow().elementList().stream().filter(e -> e instanceof java.lang.classfile.Instruction).toList();
            for (int i = 0; i < code.size(); i++) {
                if (code.get(i) instanceof ReturnInstruction) {
                    assertTrue(i > 0 && code.get(i - 1) instanceof InvokeInstruction v && v.name().equalsString("releaseFence"),
                            () -> m.methodName() + m.methodType().stringValue() + ": a return without the release fence");
                }
            }
        }
        assertTrue(bodies > 0, "no body method " + name);
    }
}
