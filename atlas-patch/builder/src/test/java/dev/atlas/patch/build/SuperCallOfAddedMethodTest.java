package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Super calls of methods a patch adds to a superclass, in the shape of commons-collections4
 * 4.3 to 4.4 ({@code SetUniqueList.removeIf} calling {@code super.removeIf}, which 4.4 adds to
 * {@code AbstractCollectionDecorator} as an override of {@code Collection.removeIf}'s default):
 * the super call runs the added body that {@code invokespecial} selects in the new release
 * (the nearest superclass declaring it), in the patch's code and in a class loaded after the
 * apply; the old view and a rollback keep the running release's behaviour.
 */
class SuperCallOfAddedMethodTest extends WithOwnPipeline {
    static final String FILTERABLE = """
            package sa;
            public interface Filterable {
                default String drop(String x) { return "filterable:" + x; }
            }
            """;
    static final String DECORATOR_V1 = """
            package sa;
            public class Decorator implements Filterable {
                public String name() { return "deco"; }
            }
            """;
    static final String DECORATOR_V2 = """
            package sa;
            public class Decorator implements Filterable {
                public String name() { return "deco"; }
                @Override public String drop(String x) { return "decorator:" + x; }
                public String tag() { return "tag:" + name(); }
            }
            """;
    static final String LIST_DECORATOR = "package sa; public class ListDecorator extends Decorator {}";
    static final String UNIQUE_V1 = """
            package sa;
            public class UniqueList extends ListDecorator {
                public String describe() { return "describe"; }
            }
            """;
    static final String UNIQUE_V2 = """
            package sa;
            public class UniqueList extends ListDecorator {
                public String describe() { return "describe+" + super.tag(); }
                @Override public String drop(String x) { return "unique+" + super.drop(x); }
            }
            """;
    static final String CALLER = """
            package sa;
            public class Caller {
                public static String call(Filterable f) { return f.drop("a"); }
                public static String describe(UniqueList u) { return u.describe(); }
            }
            """;
    /** Compiled against the new release, loaded after the apply. */
    static final String LATER = """
            package sa;
            public class Later extends UniqueList {
                @Override public String drop(String x) { return "later+" + super.drop(x); }
                public String tagged() { return super.tag(); }
            }
            """;

    @Test
    void aSuperCallOfAnAddedMethodRunsTheAddedBodyTheNewHierarchySelects(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("sa.Filterable", FILTERABLE, "sa.Decorator", DECORATOR_V1,
                "sa.ListDecorator", LIST_DECORATOR, "sa.UniqueList", UNIQUE_V1, "sa.Caller", CALLER));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("sa.Filterable", FILTERABLE, "sa.Decorator", DECORATOR_V2,
                "sa.ListDecorator", LIST_DECORATOR, "sa.UniqueList", UNIQUE_V2, "sa.Caller", CALLER, "sa.Later", LATER));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults().withExcludes(List.of("sa.Later")));
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        Patch patch = result.patchOrThrow();

        Map<String, byte[]> classes = new HashMap<>(Fixtures.classes(v1));
        classes.put("sa/Later", Fixtures.classes(v2).get("sa/Later"));
        ClassLoader loader = new InstrumentingLoader("sa-super", classes, new ClassSelector(List.of("sa.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> caller = loader.loadClass("sa.Caller");
        Object unique = loader.loadClass("sa.UniqueList").getConstructor().newInstance();
        Object deco = loader.loadClass("sa.Decorator").getConstructor().newInstance();
        assertEquals("filterable:a", call(caller, "call", unique));
        assertEquals("describe", call(caller, "describe", unique));

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("unique+decorator:a", call(caller, "call", unique),
                "UniqueList's added drop: its super.drop is Decorator's added override, not Filterable's default");
        assertEquals("decorator:a", call(caller, "call", deco));
        assertEquals("describe+tag:deco", call(caller, "describe", unique),
                "the replaced describe: super.tag() is the method the patch adds to Decorator");

        Class<?> later = loader.loadClass("sa.Later");
        Object l = later.getConstructor().newInstance();
        assertEquals("later+unique+decorator:a", call(caller, "call", l),
                "a class loaded after the apply: super.drop reaches UniqueList's added override");
        assertEquals("tag:deco", later.getMethod("tagged").invoke(l),
                "a class loaded after the apply: super.tag() reaches the method added to Decorator");

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        assertEquals("filterable:a", call(caller, "call", unique), "rolled back: the default method again");
        assertEquals("describe", call(caller, "describe", unique));
        assertEquals("later+filterable:a", call(caller, "call", l), "rolled back: the loaded classes' own super method");
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> later.getMethod("tagged").invoke(l));
        assertEquals(NoSuchMethodError.class, e.getCause().getClass(), "rolled back: the old release has no tag()");
    }

    static Object call(Class<?> caller, String method, Object arg) throws Exception {
        for (java.lang.reflect.Method m : caller.getMethods()) {
            if (m.getName().equals(method)) {
                return m.invoke(null, arg);
            }
        }
        throw new NoSuchMethodException(method);
    }
}
