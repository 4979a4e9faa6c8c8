package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
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
 * Private fields a release renames (commons-configuration2 2.10.1's
 * {@code AbstractHierarchicalConfiguration.model} to {@code nodeModel}; httpclient 4.5.13's
 * {@code datepatterns} to {@code datePatterns}): the new view uses the running field, so objects
 * made before the apply keep their state, where a field added beside them would read null.
 */
class RenamedFieldPatchTest extends WithOwnPipeline {
    static final Duration LONG = Duration.ofSeconds(30);

    static final String V1 = """
            package rn;
            public class Config {
                private final java.util.List<String> model;
                public Config(String first) { model = new java.util.ArrayList<>(); model.add(first); }
                public void add(String s) { model.add(s); }
                public String describe() { return "config " + model; }
            }
            """;

    @Test
    void aRenameAndNothingElseLeavesTheClassUnpatched(@TempDir Path tmp) {
        DiffHarness h = DiffHarness.of(tmp, "rn.Config", V1, V1.replace("model", "nodeModel"));
        assertTrue(h.patch().classes().isEmpty(), () -> "nothing to patch: " + h.patch().classes());
        assertTrue(h.result.notes().stream().anyMatch(n -> n.startsWith("rn/Config model: field renamed to nodeModel by the new "
                + "release") && n.contains("objects made before the apply keep its value")), h.result.notes()::toString);
        assertFalse(h.result.notes().stream().anyMatch(n -> n.contains("debug-only")), h.result.notes()::toString);
    }

    @Test
    void objectsMadeBeforeTheApplyKeepTheRenamedFieldsValueInTheNewView(@TempDir Path tmp) throws Exception {
        String v2 = V1.replace("model", "nodeModel").replace("\"config \" + nodeModel", "\"config v2 \" + nodeModel");
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("rn.Config", V1));
        Path v2Build = Fixtures.compile(tmp.resolve("v2"), Map.of("rn.Config", v2));
        BuildResult result = PatchBuilder.diff(v1, v2Build, BuildOptions.defaults());
        Patch patch = result.patchOrThrow();
        ClassPatch cp = patch.classes().getFirst();
        assertTrue(cp.addedFields().isEmpty(), () -> "no field beside the running one: " + cp.addedFields());
        assertEquals(List.of("describe"), cp.methods().stream().map(m -> m.name()).toList(), "only the changed method");
        assertTrue(patch.unappliedChanges().isEmpty(), patch.unappliedChanges()::toString);

        ClassLoader loader = new InstrumentingLoader("rn-fields", Fixtures.classes(v1), new ClassSelector(List.of("rn.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("rn.Config");
        Object before = c.getConstructor(String.class).newInstance("a");
        pipeline.apply(patch).migration().await(LONG);
        c.getMethod("add", String.class).invoke(before, "b");
        assertEquals("config v2 [a, b]", c.getMethod("describe").invoke(before), "the running field, under its new name");
        Object after = c.getConstructor(String.class).newInstance("x");
        assertEquals("config v2 [x]", c.getMethod("describe").invoke(after));
        pipeline.rollback().migration().await(LONG);
        assertEquals("config [a, b]", c.getMethod("describe").invoke(before), "one field, both views");
    }

    /** httpclient 4.5.12 -> 4.5.13: renamed, and the constructor now copies the array. */
    @Test
    void aRenameWithAChangedConstructorKeepsTheRunningValueForOlderObjects(@TempDir Path tmp) throws Exception {
        String v1Src = """
                package rn;
                public class Expires {
                    private final String[] datepatterns;
                    public Expires(String[] p) { this.datepatterns = p; }
                    public int patterns() { return datepatterns.length; }
                }
                """;
        String v2Src = v1Src.replace("datepatterns", "datePatterns").replace("= p;", "= p.clone();");
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("rn.Expires", v1Src));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("rn.Expires", v2Src));
        Patch patch = PatchBuilder.diff(v1, v2, BuildOptions.defaults()).patchOrThrow();
        assertTrue(patch.unappliedChanges().isEmpty(), "no field left at its default: " + patch.unappliedChanges());
        ClassLoader loader = new InstrumentingLoader("rn-expires", Fixtures.classes(v1), new ClassSelector(List.of("rn.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> c = loader.loadClass("rn.Expires");
        Object before = c.getConstructor(String[].class).newInstance((Object) new String[] {"a", "b"});
        pipeline.apply(patch).migration().await(LONG);
        assertEquals(2, c.getMethod("patterns").invoke(before));
        String[] given = {"c"};
        Object after = c.getConstructor(String[].class).newInstance((Object) given);
        given[0] = null;
        assertEquals(1, c.getMethod("patterns").invoke(after));
    }

    @Test
    void twoFieldsOfOneTypeRemovedAndAddedAreNotGuessed(@TempDir Path tmp) {
        String v1 = """
                package rn;
                public class Pair {
                    private String left = "l";
                    private String right = "r";
                    public String both() { return left + right; }
                }
                """;
        DiffHarness h = DiffHarness.of(tmp, "rn.Pair", v1, v1.replace("left", "first").replace("right", "second"));
        assertEquals(List.of("first", "second"), h.classPatch("rn/Pair").addedFields().stream().map(FieldAddition::name).sorted().toList());
        assertFalse(h.result.notes().stream().anyMatch(n -> n.contains("renamed")), h.result.notes()::toString);
    }

    @Test
    void aFieldWhoseUsesAllChangedIsANewFieldNotARename(@TempDir Path tmp) {
        String v1 = """
                package rn;
                public class Counter {
                    private int hits;
                    public void hit() { hits++; }
                    public int hits() { return hits; }
                }
                """;
        String v2 = """
                package rn;
                public class Counter {
                    private int misses;
                    public void hit() { misses--; }
                    public int hits() { return -misses; }
                }
                """;
        DiffHarness h = DiffHarness.of(tmp, "rn.Counter", v1, v2);
        assertEquals(List.of("misses"), h.classPatch("rn/Counter").addedFields().stream().map(FieldAddition::name).toList());
    }

    @Test
    void aRenamedFieldTheNewBuildLooksUpByNameStaysRefused(@TempDir Path tmp) {
        String v2 = V1.replace("model", "nodeModel").replace("public String describe()",
                "public static Object field() throws Exception { return Config.class.getDeclaredField(\"nodeModel\"); }\n"
                        + "    public String describe()");
        DiffHarness h = DiffHarness.of(tmp, "rn.Config", V1, v2);
        assertTrue(h.refusedWith("nodeModel: field the new release adds, and the new build looks it up by name"),
                h.result.refusals()::toString);
    }
}
