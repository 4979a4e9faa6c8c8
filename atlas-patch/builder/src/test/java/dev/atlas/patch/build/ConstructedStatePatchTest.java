package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Object state that a class's constructors build through a method the patch changes: reported,
 * not applied (existing objects are not rebuilt), in the notes and in the patch; nothing
 * reported where no constructor reaches the changed code.
 */
class ConstructedStatePatchTest {
    @TempDir
    Path tmp;

    /** The shape of commons-beanutils 1.9.3 -> 1.9.4 (CVE-2019-10086): the fix is in a method the constructor calls. */
    static final String BEANS_V1 = """
            package cs;
            public class Beans {
                private final java.util.List<String> introspectors = new java.util.ArrayList<>();
                public Beans() { reset(); }
                public final void reset() { introspectors.clear(); introspectors.add("default"); }
                public java.util.List<String> introspectors() { return introspectors; }
            }
            """;
    static final String BEANS_V2 = BEANS_V1.replace("introspectors.add(\"default\"); }",
            "introspectors.add(\"default\"); introspectors.add(\"suppress-class\"); }");

    @Test
    void aChangedMethodThatTheConstructorCallsIsReportedAsStateNotRebuilt() {
        DiffHarness h = DiffHarness.of(tmp, "cs.Beans", BEANS_V1, BEANS_V2);
        List<String> unapplied = h.patch().unappliedChanges();
        assertEquals(1, unapplied.size(), unapplied::toString);
        assertTrue(unapplied.get(0).startsWith("cs/Beans: objects created before the apply keep the state their constructor "
                + "built with the running reset(), which the patch changes: NOT rebuilt"), unapplied.get(0));
        assertTrue(h.result.notes().contains(unapplied.get(0)), "also a build note");
        assertTrue(h.classPatch("cs/Beans").methods().stream().anyMatch(m -> m.name().equals("reset")), "the method is still patched");
    }

    @Test
    void aChangedMethodReachedThroughAnotherMethodOfTheClassIsReported() {
        String v1 = BEANS_V1.replace("public Beans() { reset(); }", "public Beans() { init(); }\n    private void init() { reset(); }");
        String v2 = BEANS_V2.replace("public Beans() { reset(); }", "public Beans() { init(); }\n    private void init() { reset(); }");
        DiffHarness h = DiffHarness.of(tmp, "cs.Beans", v1, v2);
        assertEquals(1, h.patch().unappliedChanges().size(), h.patch().unappliedChanges()::toString);
        assertTrue(h.patch().unappliedChanges().get(0).contains("running reset()"), h.patch().unappliedChanges()::toString);
    }

    @Test
    void aChangedMethodNoConstructorReachesIsNotReported() {
        String v1 = BEANS_V1.replace("public Beans() { reset(); }", "public Beans() { }");
        String v2 = BEANS_V2.replace("public Beans() { reset(); }", "public Beans() { }");
        DiffHarness h = DiffHarness.of(tmp, "cs.Beans", v1, v2);
        assertFalse(h.result.isRefused(), h.result.refusals()::toString);
        assertTrue(h.patch().unappliedChanges().isEmpty(), h.patch().unappliedChanges()::toString);
    }

    @Test
    void reportsOnlyTheChangedMethodsAConstructorReaches() {
        String v1 = BEANS_V1.replace("public java.util.List<String> introspectors() { return introspectors; }",
                "public java.util.List<String> introspectors() { return introspectors; }\n    public int size() { return 1; }");
        String v2 = BEANS_V2.replace("public java.util.List<String> introspectors() { return introspectors; }",
                "public java.util.List<String> introspectors() { return introspectors; }\n    public int size() { return 2; }");
        DiffHarness h = DiffHarness.of(tmp, "cs.Beans", v1, v2);
        assertEquals(1, h.patch().unappliedChanges().size());
        assertFalse(h.patch().unappliedChanges().get(0).contains("size()"), h.patch().unappliedChanges()::toString);
    }

    /** A new field the changed constructor sets from its parameter (a rename whose uses all changed is one too). */
    @Test
    void aNewFieldTheChangedConstructorSetsFromItsParameterIsReportedAsLeftAtItsDefault() {
        String v1 = """
                package cs;
                public class Expires {
                    private final String[] datepatterns;
                    public Expires(String[] p) { this.datepatterns = p; }
                    public int patterns() { return datepatterns.length; }
                }
                """;
        String v2 = v1.replace("datepatterns", "datePatterns").replace("= p;", "= p.clone();")
                .replace("return datePatterns.length;", "return datePatterns.length + 0 * datePatterns.hashCode();");
        DiffHarness h = DiffHarness.of(tmp, "cs.Expires", v1, v2);
        List<String> unapplied = h.patch().unappliedChanges();
        assertEquals(1, unapplied.size(), unapplied::toString);
        assertTrue(unapplied.get(0).startsWith("cs/Expires: objects created before the apply read the default values of the "
                + "new field(s) datePatterns = null, which the changed constructor <init>([Ljava/lang/String;)V sets"), unapplied.get(0));
        assertTrue(unapplied.get(0).contains("NOT carried over"), unapplied.get(0));
    }
}
