package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An abstract method that the new release adds to a class (commons-compress 1.16's
 * {@code LZ77Compressor$Block.getType()}), implemented by the new release's subclasses, applied
 * live: calls of it in the patch's code and in classes loaded after the apply run the receiver's
 * implementation (the subclasses' added methods, objects made before the apply included; a real
 * method of a class loaded after the apply), and an object of a class outside the patch that has
 * none gets {@link AbstractMethodError} naming its class, as the JVM gives it on the new release.
 * The subclass {@code Back} sorts before {@code Block}: the agent registers overrides of added
 * methods whatever the order of the patch's classes. The builder still refuses a new native
 * method, a new abstract method re-declaring an inherited one, and a new abstract method that a
 * concrete class the new release removes lacks.
 */
class AbstractMethodPatchTest extends WithOwnPipeline {
    static final String BLOCK_V1 = "package ab; public abstract class Block { }";
    static final String BLOCK_V2 = "package ab; public abstract class Block { public abstract String type(); }";
    static final String BACK_V1 = """
            package ab;
            public final class Back extends Block {
                final int distance;
                public Back(int distance) { this.distance = distance; }
            }
            """;
    static final String BACK_V2 = BACK_V1.replace("this.distance = distance; }",
            "this.distance = distance; }\n    @Override public String type() { return \"back:\" + distance; }");
    static final String LITERAL_V1 = """
            package ab;
            public class Literal extends Block {
                final String text;
                public Literal(String text) { this.text = text; }
            }
            """;
    static final String LITERAL_V2 = LITERAL_V1.replace("this.text = text; }",
            "this.text = text; }\n    @Override public String type() { return \"literal:\" + text; }");
    /** Unchanged: inherits Literal's implementation in the new release. */
    static final String QUOTED = "package ab; public class Quoted extends Literal { public Quoted(String t) { super(t); } }";
    static final String WRITER_V1 = "package ab; public class Writer { public static String write(Block b) { return \"v1\"; } }";
    static final String WRITER_V2 = "package ab; public class Writer { public static String write(Block b) { return \"v2:\" + b.type(); } }";
    /** Outside the build, compiled against the new release, loaded after the apply. */
    static final String LATER = """
            package ab;
            public class Later extends Block {
                @Override public String type() { return "later"; }
                public static String typeOf(Block b) { return b.type(); }
                public static String typeOfLiteral(Literal l) { return l.type(); }
            }
            """;
    /** Outside the build, compiled against the old release: no type(). */
    static final String STRANGER = "package ab; public class Stranger extends Block { }";

    private Map<String, byte[]> classes;

    private Patch build(Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("ab.Block", BLOCK_V1, "ab.Back", BACK_V1, "ab.Literal", LITERAL_V1,
                "ab.Quoted", QUOTED, "ab.Writer", WRITER_V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("ab.Block", BLOCK_V2, "ab.Back", BACK_V2, "ab.Literal", LITERAL_V2,
                "ab.Quoted", QUOTED, "ab.Writer", WRITER_V2));
        Path later = Fixtures.compile(tmp.resolve("later"), Map.of("ab.Block", BLOCK_V2, "ab.Literal", LITERAL_V2, "ab.Later", LATER));
        Path stranger = Fixtures.compile(tmp.resolve("stranger"), Map.of("ab.Block", BLOCK_V1, "ab.Stranger", STRANGER));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults());
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("ab/Block type()Ljava/lang/String;: new abstract method")),
                result.notes()::toString);
        classes = new HashMap<>(Fixtures.classes(v1));
        classes.put("ab/Later", Fixtures.classes(later).get("ab/Later"));
        classes.put("ab/Stranger", Fixtures.classes(stranger).get("ab/Stranger"));
        return result.patchOrThrow();
    }

    @Test
    void aNewAbstractMethodRunsTheReceiversImplementationAndThrowsForAClassWithout(@TempDir Path tmp) throws Exception {
        Patch patch = build(tmp);
        ClassLoader loader = new InstrumentingLoader("ab-abstract", classes, new ClassSelector(List.of("ab.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> block = loader.loadClass("ab.Block");
        Method write = loader.loadClass("ab.Writer").getMethod("write", block);
        Object back = loader.loadClass("ab.Back").getConstructor(int.class).newInstance(4);
        Object literal = loader.loadClass("ab.Literal").getConstructor(String.class).newInstance("x");
        Object quoted = loader.loadClass("ab.Quoted").getConstructor(String.class).newInstance("q");
        Object stranger = loader.loadClass("ab.Stranger").getConstructor().newInstance();
        assertEquals("v1", write.invoke(null, back));

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("v2:back:4", write.invoke(null, back), "an object made before the apply runs its class's added method");
        assertEquals("v2:literal:x", write.invoke(null, literal));
        assertEquals("v2:literal:q", write.invoke(null, quoted), "an unchanged subclass inherits Literal's");
        Throwable none = assertThrows(InvocationTargetException.class, () -> write.invoke(null, stranger)).getCause();
        assertInstanceOf(AbstractMethodError.class, none, "a class outside the patch without the method, as on the new release");
        assertTrue(none.getMessage().startsWith("ab.Stranger does not implement ab.Block.type()Ljava/lang/String;"), none.getMessage());
        assertTrue(none.getMessage().contains("remedy: restart on the new release"), none.getMessage());

        Class<?> laterClass = loader.loadClass("ab.Later");
        Object later = laterClass.getConstructor().newInstance();
        Method typeOf = laterClass.getMethod("typeOf", block);
        assertEquals("v2:later", write.invoke(null, later), "the patch's call runs the real method of a class loaded after the apply");
        assertEquals("later", typeOf.invoke(null, later));
        assertEquals("back:4", typeOf.invoke(null, back), "a call from a class loaded after the apply selects on the receiver");
        assertEquals("literal:q", laterClass.getMethod("typeOfLiteral", literal.getClass()).invoke(null, quoted));
        assertInstanceOf(AbstractMethodError.class,
                assertThrows(InvocationTargetException.class, () -> typeOf.invoke(null, stranger)).getCause());

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        assertEquals("v1", write.invoke(null, back), "rolled back");
        assertEquals("v1", write.invoke(null, stranger));
    }

    @Test
    void aNewNativeMethodIsStillRefused(@TempDir Path tmp) {
        DiffHarness h = new DiffHarness(tmp, Map.of("ab.Block", BLOCK_V1), Map.of("ab.Block",
                "package ab; public abstract class Block { public native int address(); }"));
        assertTrue(h.refusedWith("ab/Block address()I: new native method"), h.result.refusals()::toString);
    }

    @Test
    void aNewAbstractMethodThatRedeclaresAnInheritedOneIsRefused(@TempDir Path tmp) {
        String base = "package ab; public class Base { public String type() { return \"base\"; } }";
        DiffHarness h = new DiffHarness(tmp, Map.of("ab.Base", base, "ab.Block", BLOCK_V1.replace("class Block", "class Block extends Base")),
                Map.of("ab.Base", base, "ab.Block", BLOCK_V2.replace("class Block", "class Block extends Base")));
        assertTrue(h.refusedWith("ab/Block type()Ljava/lang/String;: new abstract method that re-declares the inherited "
                + "ab.Base.type"), h.result.refusals()::toString);
    }

    @Test
    void aNewAbstractMethodThatARemovedConcreteSubclassLacksIsRefused(@TempDir Path tmp) {
        DiffHarness h = new DiffHarness(tmp, Map.of("ab.Block", BLOCK_V1, "ab.Back", BACK_V1, "ab.Literal", LITERAL_V1),
                Map.of("ab.Block", BLOCK_V2, "ab.Literal", LITERAL_V2));
        assertTrue(h.refusedWith("ab/Block type()Ljava/lang/String;: new abstract method, and the running release's ab/Back "
                + "extends the class without it and is removed by the new release"), h.result.refusals()::toString);
    }
}
