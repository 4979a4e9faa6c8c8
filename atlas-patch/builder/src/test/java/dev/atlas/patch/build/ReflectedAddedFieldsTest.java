package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A field the new release adds, which the new build's own code looks up by name: refused (the
 * loaded class has no such field, so the lookup would throw); an added field looked up by no
 * code of the build is added, and what outside code sees of it is said ({@code ADDED_FIELDS_REACH}).
 */
class ReflectedAddedFieldsTest {
    @TempDir
    Path tmp;

    static final String V1 = """
            package rf;
            public class Meter {
                private int count;
                public int next() { return ++count; }
            }
            """;

    @Test
    void anAddedFieldThatAFieldUpdaterOfTheNewBuildNamesIsRefused() {
        String v2 = V1.replace("private int count;", """
                private int count;
                private volatile int hits;
                private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Meter> HITS =
                        java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Meter.class, "hits");""")
                .replace("return ++count;", "HITS.incrementAndGet(this); return ++count;");
        DiffHarness h = DiffHarness.of(tmp, "rf.Meter", V1, v2);
        assertTrue(h.refusedWith("rf/Meter hits: field the new release adds, and the new build looks it up by name "
                + "(rf.Meter.<clinit> calls java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater with \"hits\")"),
                h.result.refusals()::toString);
    }

    @Test
    void anAddedFieldThatAnotherClassOfTheNewBuildReadsByReflectionIsRefused() {
        String v2 = V1.replace("private int count;", "private int count;\n    private String label = \"m\";");
        String probeV1 = """
                package rf;
                public class Probe {
                    public static Object read(Meter m) { return m; }
                }
                """;
        String probeV2 = """
                package rf;
                public class Probe {
                    public static Object read(Meter m) throws Exception {
                        java.lang.reflect.Field f = Meter.class.getDeclaredField("label");
                        f.setAccessible(true);
                        return f.get(m);
                    }
                }
                """;
        DiffHarness h = new DiffHarness(tmp, Map.of("rf.Meter", V1, "rf.Probe", probeV1), Map.of("rf.Meter", v2, "rf.Probe", probeV2));
        assertTrue(h.refusedWith("rf/Meter label: field the new release adds, and the new build looks it up by name "
                + "(rf.Probe.read calls java.lang.Class.getDeclaredField with \"label\")"), h.result.refusals()::toString);
    }

    @Test
    void anAddedFieldsNameThatIsNoLookupsArgumentIsNotRefused() {
        // commons-lang3 3.13.0 adds a field "field", and its FieldUtils passes the text "field" to Validate before a lookup
        String v2 = V1.replace("private int count;", "private int count;\n    private String field = \"m\";")
                .replace("return ++count;", "field = field + count; return ++count;");
        String utilV1 = """
                package rf;
                public class Util {
                    public static Object find(Class<?> c, String name) throws Exception { return c.getDeclaredField(name); }
                }
                """;
        String utilV2 = """
                package rf;
                public class Util {
                    public static Object find(Class<?> c, String name) throws Exception {
                        java.util.Objects.requireNonNull(name, "field");
                        return c.getDeclaredField(name);
                    }
                }
                """;
        DiffHarness h = new DiffHarness(tmp, Map.of("rf.Meter", V1, "rf.Util", utilV1), Map.of("rf.Meter", v2, "rf.Util", utilV2));
        assertFalse(h.result.isRefused(), h.result.refusals()::toString);
    }

    @Test
    void anAddedFieldNoCodeOfTheBuildLooksUpIsAdded() {
        String v2 = V1.replace("private int count;", "private int count;\n    private String label = \"m\";")
                .replace("return ++count;", "label = label + count; return ++count;");
        DiffHarness h = DiffHarness.of(tmp, "rf.Meter", V1, v2);
        assertFalse(h.result.isRefused(), h.result.refusals()::toString);
        assertEquals(1, h.classPatch("rf/Meter").addedFields().size());
        assertTrue(h.classPatch("rf/Meter").addedFields().getFirst().declaredByRelease());
    }
}
