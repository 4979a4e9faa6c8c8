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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overrides that a patch adds or removes, applied by the runtime: virtual calls on the
 * superclass's method reach the subclass's new override in the new view, a removed override
 * falls back to the inherited method there, the old view keeps the old dispatch, and rollback
 * restores it.
 */
class OverridePatchTest extends WithOwnPipeline {
    static final String SHAPE = """
            package ov;
            public class Shape {
                public String name() { return "shape"; }
                public String describe() { return name() + "/" + area(); }
                public int area() { return 0; }
            }
            """;
    static final String SQUARE_V1 = """
            package ov;
            public class Square extends Shape {
                final int side;
                public Square(int side) { this.side = side; }
                @Override public String name() { return "square"; }
                @Override public int area() { return side * side; }
                @Override public String toString() { return "Square" + side; }
            }
            """;
    static final String SQUARE_V2 = """
            package ov;
            public class Square extends Shape {
                final int side;
                public Square(int side) { this.side = side; }
                @Override public int area() { return side * side; }
            }
            """;
    static final String CALLER = """
            package ov;
            public class Caller {
                public static String call(Shape s) { return s.name() + " " + s.describe(); }
            }
            """;

    @Test
    void aRemovedOverrideRunsTheInheritedMethodInTheNewView(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ov.Shape", SHAPE, "ov.Square", SQUARE_V1, "ov.Caller", CALLER));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ov.Shape", SHAPE, "ov.Square", SQUARE_V2, "ov.Caller", CALLER));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();

        ClassLoader loader = new InstrumentingLoader("ov-removed", Fixtures.classes(v1), new ClassSelector(List.of("ov.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> square = loader.loadClass("ov.Square");
        Class<?> caller = loader.loadClass("ov.Caller");
        Object sq = square.getConstructor(int.class).newInstance(3);
        assertEquals("square square/9", call(caller, sq));
        assertEquals("Square3", sq.toString());

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("shape shape/9", call(caller, sq), "the removed override: the inherited Shape.name runs");
        assertTrue(sq.toString().startsWith("ov.Square@"), "a removed override of a JDK method: Object.toString runs");

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        assertEquals("square square/9", call(caller, sq), "rolled back: the override again");
        assertEquals("Square3", sq.toString());
    }

    static final String CIRCLE_V1 = """
            package ov;
            public class Circle extends Shape {
                final int r;
                public Circle(int r) { this.r = r; }
            }
            """;
    static final String CIRCLE_V2 = """
            package ov;
            public class Circle extends Shape {
                final int r;
                public Circle(int r) { this.r = r; }
                @Override public String name() { return "circle(" + super.name() + ")"; }
                @Override public int area() { return 3 * r * r; }
            }
            """;
    static final String RING = "package ov; public class Ring extends Circle { public Ring(int r) { super(r); } }";

    @Test
    void anAddedOverrideIsReachedThroughTheInheritedMethodInTheNewViewOnly(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ov.Shape", SHAPE, "ov.Square", SQUARE_V1, "ov.Circle", CIRCLE_V1,
                "ov.Ring", RING, "ov.Caller", CALLER));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ov.Shape", SHAPE, "ov.Square", SQUARE_V1, "ov.Circle", CIRCLE_V2,
                "ov.Ring", RING, "ov.Caller", CALLER));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();

        ClassLoader loader = new InstrumentingLoader("ov-added", Fixtures.classes(v1), new ClassSelector(List.of("ov.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> caller = loader.loadClass("ov.Caller");
        Object circle = loader.loadClass("ov.Circle").getConstructor(int.class).newInstance(2);
        Object ring = loader.loadClass("ov.Ring").getConstructor(int.class).newInstance(1);
        Object square = loader.loadClass("ov.Square").getConstructor(int.class).newInstance(3);
        Object shape = loader.loadClass("ov.Shape").getConstructor().newInstance();
        assertEquals("shape shape/0", call(caller, circle));

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("circle(shape) circle(shape)/12", call(caller, circle),
                "virtual calls of Shape.name/area reach Circle's new overrides; its super.name() reaches Shape's");
        assertEquals("circle(shape) circle(shape)/3", call(caller, ring), "a subclass of Circle inherits them");
        assertEquals("square square/9", call(caller, square), "other subclasses keep their own");
        assertEquals("shape shape/0", call(caller, shape), "the superclass itself keeps its body");

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        assertEquals("shape shape/0", call(caller, circle), "rolled back: the inherited methods again");
    }

    static Object call(Class<?> caller, Object shape) throws Exception {
        return caller.getMethod("call", caller.getClassLoader().loadClass("ov.Shape")).invoke(null, shape);
    }
}
