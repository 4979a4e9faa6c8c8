package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.Fixtures;
import dev.atlas.patch.WithOwnPipeline;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.WidenedMethods;
import dev.atlas.patch.instrument.BoundaryMatcher;
import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;
import dev.atlas.patch.testing.InstrumentingLoader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Methods and constructors whose access the new release widens, called by code outside the
 * patch: a class compiled against the new release and loaded after the apply calls the running
 * members with the new access in the new view (commons-csv 1.9.0 makes {@code CSVRecord.toList()}
 * public, which its own test calls), and gets {@link IllegalAccessError} after rollback as on the
 * old release; an override a later-loaded subclass declares of a method made public runs as the
 * new release's dispatch would; reflection still sees the running modifiers.
 */
class WidenedMethodCallsTest extends WithOwnPipeline {
    static final String RECORD_V1 = """
            package wm;
            public class Record {
                final String[] values;
                private Record(String... values) { this.values = values; }
                protected Record(String one) { this(new String[] {one}); }
                public static Record of(String... values) { return new Record(values); }
                private java.util.List<String> toList() { return java.util.Arrays.asList(values); }
                static int width() { return 1; }
                String first() { return values[0]; }
                public int size() { return values.length; }
            }
            """;
    static final String RECORD_V2 = """
            package wm;
            public class Record {
                final String[] values;
                public Record(String... values) { this.values = values; }
                protected Record(String one) { this(new String[] {one}); }
                public static Record of(String... values) { return new Record(values); }
                public java.util.List<String> toList() { return java.util.Arrays.asList(values); }
                public static int width() { return 2; }
                public String first() { return values[0]; }
                public int size() { return values.length; }
            }
            """;
    static final String CLIENT = """
            package wm.other;
            public class %s {
                public static String run() {
                    wm.Record r = new wm.Record("a", "b");
                    return r.toList() + " " + wm.Record.width() + " " + r.first() + " " + new Shouting("c").first();
                }
                public static String nullReceiver() {
                    wm.Record r = null;
                    return String.valueOf(r.toList());
                }
                static final class Shouting extends wm.Record {
                    Shouting(String v) { super(v); }
                    @Override public String first() { return size() + "!"; }
                }
            }
            """;

    @Test
    void classesLoadedAfterTheApplyCallMembersWhoseAccessTheNewReleaseWidened(@TempDir Path tmp) throws Exception {
        Path v1 = Fixtures.compile(tmp.resolve("v1"), Map.of("wm.Record", RECORD_V1));
        Path v2 = Fixtures.compile(tmp.resolve("v2"), Map.of("wm.Record", RECORD_V2,
                "wm.other.Client", CLIENT.formatted("Client"), "wm.other.EarlyClient", CLIENT.formatted("EarlyClient")));
        BuildResult result = PatchBuilder.diff(v1, v2, BuildOptions.defaults().withExcludes(List.of("wm.other.**")));
        assertFalse(result.isRefused(), () -> result.refusals().toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("wm/Record toList()Ljava/util/List;: method modifiers "
                + "changed (private -> public)") && n.contains("linked with the new access in the new view")),
                result.notes()::toString);
        Patch patch = result.patchOrThrow();
        assertEquals(1, patch.classes().size(), "a class whose only change is access widening is in the patch");
        assertEquals(List.of(new WidenedMethods.Member("<init>", "([Ljava/lang/String;)V", false),
                        new WidenedMethods.Member("toList", "()Ljava/util/List;", false),
                        new WidenedMethods.Member("width", "()I", true),
                        new WidenedMethods.Member("first", "()Ljava/lang/String;", false)),
                WidenedMethods.of(patch.classes().getFirst()));

        Map<String, byte[]> classes = new HashMap<>(Fixtures.classes(v1));
        Map<String, byte[]> compiledAgainstV2 = Fixtures.classes(v2);
        for (String c : List.of("wm/other/Client", "wm/other/Client$Shouting", "wm/other/EarlyClient",
                "wm/other/EarlyClient$Shouting")) {
            classes.put(c, compiledAgainstV2.get(c));
        }
        ClassLoader loader = new InstrumentingLoader("wm-outside", classes, new ClassSelector(List.of("wm.**"), List.of()),
                new CodeInstrumenter(code.registry(), new BoundaryMatcher(List.of())));
        Class<?> record = loader.loadClass("wm.Record");
        Class<?> early = loader.loadClass("wm.other.EarlyClient");
        assertInstanceOf(IllegalAccessError.class, failure(early, "run"), "the old release's access");

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        Class<?> client = loader.loadClass("wm.other.Client");
        assertEquals("[a, b] 2 a 1!", client.getMethod("run").invoke(null), "the widened constructor, instance and static "
                + "methods reached from another package (width() also changed: its new body), and the later-loaded "
                + "subclass's override of the method made public runs, as the new release dispatches");
        assertInstanceOf(NullPointerException.class, failure(client, "nullReceiver"));
        assertInstanceOf(IllegalAccessError.class, failure(early, "run"),
                "a class loaded before the apply is not rewritten (limit: compiled against the old release, it cannot call it)");
        assertTrue(Modifier.isPrivate(record.getDeclaredMethod("toList").getModifiers()), "reflection sees the running access");

        pipeline.rollback().migration().await(ConstructorPatchTest.LONG);
        Throwable refused = failure(client, "run");
        assertInstanceOf(IllegalAccessError.class, refused, "after rollback the call fails as on the old release");
        assertInstanceOf(IllegalAccessError.class, failure(client, "nullReceiver"), "access is checked before the null check");

        pipeline.apply(patch).migration().await(ConstructorPatchTest.LONG);
        assertEquals("[a, b] 2 a 1!", client.getMethod("run").invoke(null), "applied again: the same call sites reach them again");
    }

    private static Throwable failure(Class<?> c, String method) {
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> c.getMethod(method).invoke(null));
        return e.getCause();
    }
}
