package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Modifier changes of classes and methods that the running classes cannot take: reported, not
 * applied (in the notes and in the patch, which inspect lists) where the new release's code does
 * nothing that needs the new modifiers, refused with the reason and the remedy where it does.
 */
class ModifierChangesPatchTest {
    @TempDir
    Path tmp;

    private int dirs;

    private DiffHarness diff(Map<String, String> v1, Map<String, String> v2) {
        return new DiffHarness(tmp.resolve("d" + dirs++), v1, v2);
    }

    private static void assertReported(DiffHarness h, String text) {
        assertFalse(h.result.isRefused(), h.result.refusals()::toString);
        assertTrue(h.result.notes().stream().anyMatch(n -> n.contains(text)), () -> "no note with '" + text + "' in " + h.result.notes());
        assertTrue(h.patch().unappliedChanges().stream().anyMatch(n -> n.contains(text)),
                () -> "not recorded in the patch: '" + text + "' in " + h.patch().unappliedChanges());
    }

    private static void assertRefused(DiffHarness h, String text) {
        assertTrue(h.refusedWith(text), h.result.refusals()::toString);
        assertTrue(h.result.refusals().stream().anyMatch(r -> r.toString().contains(text) && r.reason().contains("remedy: ")),
                () -> "refusal without a remedy: " + h.result.refusals());
    }

    // ------------------------------------------------------------------ class modifiers

    static final String UTIL_V1 = """
            package cm;
            abstract class Util {
                Util() { }
                static int twice(int x) { return 2 * x; }
            }
            """;
    static final String USER = "package cm; public class User { public int go() { return Util.twice(3); } }";

    @Test
    void abstractRemovedAndFinalAddedToAClassNothingInstantiatesIsReported() throws Exception {
        // commons-lang3 3.12.0 -> 3.13.0 MemberUtils: 'abstract class' became 'final class'
        DiffHarness h = diff(Map.of("cm.Util", UTIL_V1, "cm.User", USER), Map.of("cm.Util",
                UTIL_V1.replace("abstract class Util", "final class Util").replace("2 * x", "3 * x"), "cm.User", USER));
        assertReported(h, "cm/Util: class modifiers changed (+final, -abstract); reported, not applied: the loaded class keeps "
                + "its modifiers, which only reflection on the class shows; no code of the new build instantiates it");
        assertTrue(h.classPatch("cm/Util").methods().stream().anyMatch(m -> m.name().equals("twice")), "the code change is applied");
        Path file = tmp.resolve("p.atlaspatch");
        PatchFile.write(h.patch(), file);
        Patch read = PatchFile.read(file);
        assertEquals(h.patch().unappliedChanges(), read.unappliedChanges(), "recorded in the patch file");
        String described = PatchDescription.render(file);
        assertTrue(described.contains("Reported, NOT applied (1; each line says what the running JVM keeps):\n  cm/Util: class modifiers changed (+final, -abstract)"), described);
    }

    @Test
    void abstractRemovedFromAClassTheNewBuildInstantiatesIsRefused() {
        // commons-io 2.8.0 -> 2.9.0 ThresholdingOutputStream: IOUtils.toByteArray creates one
        DiffHarness h = diff(Map.of("cm.Util", UTIL_V1, "cm.User", USER), Map.of("cm.Util", UTIL_V1.replace("abstract class", "class"),
                "cm.User", "package cm; public class User { public int go() { return new Util().hashCode() + Util.twice(3); } }"));
        assertRefused(h, "cm/Util: class no longer abstract and instantiated by the new build (cm/User.go()I): the running "
                + "class is abstract, so creating an object of it throws InstantiationError");
        DiffHarness ref = diff(Map.of("cm.Util", UTIL_V1, "cm.User", USER), Map.of("cm.Util", UTIL_V1.replace("abstract class", "class"),
                "cm.User", "package cm; public class User { public Object go() { java.util.function.Supplier<Util> s = Util::new; "
                        + "return s; } }"));
        assertRefused(ref, "cm/Util: class no longer abstract and instantiated by the new build (cm/User.go()");
    }

    @Test
    void abstractAddedIsReportedAndStatesWhatOldCodeThatInstantiatesTheClassGets() {
        String v1 = "package cm; public class Shape { public int sides() { return 0; } }";
        DiffHarness h = diff(Map.of("cm.Shape", v1), Map.of("cm.Shape", v1.replace("public class", "public abstract class")
                .replace("return 0", "return 1")));
        assertReported(h, "cm/Shape: class modifiers changed (+abstract); reported, not applied");
        assertReported(h, "code outside the build that creates objects of the class keeps doing so, as on the old release; in "
                + "the new view they run the new release's methods");
    }

    @Test
    void finalRemovedIsReportedUnlessTheNewBuildExtendsTheClass() {
        String v1 = "package cm; public final class Leaf { public int v() { return 1; } }";
        DiffHarness open = diff(Map.of("cm.Leaf", v1), Map.of("cm.Leaf", v1.replace("final class", "class")));
        assertReported(open, "cm/Leaf: class modifiers changed (-final); reported, not applied");
        DiffHarness extended = diff(Map.of("cm.Leaf", v1), Map.of("cm.Leaf", v1.replace("final class", "class"),
                "cm.Twig", "package cm; public class Twig extends Leaf { }"));
        assertRefused(extended, "cm/Leaf: class no longer final and extended by the new build");
    }

    @Test
    void publicAddedIsReportedUnlessAClassOfAnotherPackageNamesIt() {
        String v1 = "package cm; class Hidden { static int v() { return 1; } }";
        String user = "package cm; public class User { public int go() { return Hidden.v(); } }";
        DiffHarness same = diff(Map.of("cm.Hidden", v1, "cm.User", user),
                Map.of("cm.Hidden", v1.replace("class Hidden", "public class Hidden").replace("static int", "public static int"),
                        "cm.User", user));
        assertReported(same, "cm/Hidden: class modifiers changed (+public); reported, not applied");
        DiffHarness other = diff(Map.of("cm.Hidden", v1, "cm.User", user, "cx.Far", "package cx; public class Far { }"),
                Map.of("cm.Hidden", v1.replace("class Hidden", "public class Hidden").replace("static int", "public static int"),
                        "cm.User", user, "cx.Far", "package cx; public class Far { public int go() { return cm.Hidden.v(); } }"));
        assertRefused(other, "cm/Hidden: class made public and named by cx/Far of another package");
    }

    @Test
    void aClassThatBecomesAnInterfaceIsRefused() {
        DiffHarness h = diff(Map.of("cm.Kind", "package cm; public abstract class Kind { public abstract int v(); }"),
                Map.of("cm.Kind", "package cm; public interface Kind { int v(); }"));
        assertRefused(h, "cm/Kind: class modifiers changed (+interface");
    }

    // ------------------------------------------------------------------ method modifiers

    static final String FILTER_V1 = """
            package mm;
            public abstract class Filter {
                public int apply(int c) { return keep(c) ? c : -1; }
                protected abstract boolean keep(int c);
            }
            """;
    static final String EVEN = "package mm; public class Even extends Filter { protected boolean keep(int c) { return c % 2 == 0; } }";
    static final String FILTER_V2 = FILTER_V1.replace("protected abstract boolean keep(int c);",
            "protected boolean keep(int c) { return c > 0; }");

    @Test
    void abstractRemovedFromAMethodEveryClassOfTheNewBuildOverridesIsReported() {
        DiffHarness h = diff(Map.of("mm.Filter", FILTER_V1, "mm.Even", EVEN), Map.of("mm.Filter", FILTER_V2, "mm.Even", EVEN));
        assertReported(h, "mm/Filter keep(I)Z: method modifiers changed (-abstract); reported, not applied: the running method "
                + "stays abstract");
        assertTrue(h.patch().classes().stream().noneMatch(c -> c.methods().stream().anyMatch(m -> m.name().equals("keep"))),
                "no body for the running abstract method");
    }

    @Test
    void abstractRemovedFromAMethodWhoseOverrideTheNewBuildRemovesIsRefused() {
        // commons-io 2.8.0 -> 2.9.0 AbstractCharacterFilterReader.filter: CharacterFilterReader dropped its override
        DiffHarness h = diff(Map.of("mm.Filter", FILTER_V1, "mm.Even", EVEN),
                Map.of("mm.Filter", FILTER_V2, "mm.Even", "package mm; public class Even extends Filter { }"));
        assertRefused(h, "mm/Filter keep(I)Z: method no longer abstract, and mm/Even of the new build inherits its new body: "
                + "the running method stays abstract");
        DiffHarness added = diff(Map.of("mm.Filter", FILTER_V1, "mm.Even", EVEN),
                Map.of("mm.Filter", FILTER_V2, "mm.Even", EVEN, "mm.Any", "package mm; public class Any extends Filter { }"));
        assertRefused(added, "mm/Filter keep(I)Z: method no longer abstract, and mm/Any of the new build inherits its new body");
    }

    @Test
    void abstractRemovedFromAMethodTheNewBuildCallsWithSuperIsRefused() {
        DiffHarness h = diff(Map.of("mm.Filter", FILTER_V1, "mm.Even", EVEN), Map.of("mm.Filter", FILTER_V2, "mm.Even",
                EVEN.replace("return c % 2 == 0;", "return c % 2 == 0 && super.keep(c);")));
        assertRefused(h, "mm/Filter keep(I)Z: method no longer abstract, and mm/Even.keep(I)Z calls its new body with super");
    }

    @Test
    void abstractAddedToAMethodKeepsTheRunningBodyAndIsReported() {
        String v1 = FILTER_V1.replace("public abstract class Filter", "public abstract class Filter")
                .replace("protected abstract boolean keep(int c);", "protected boolean keep(int c) { return true; }");
        DiffHarness h = diff(Map.of("mm.Filter", v1, "mm.Even", EVEN), Map.of("mm.Filter", FILTER_V1.replace("? c : -1", "? c : -2"),
                "mm.Even", EVEN));
        assertReported(h, "mm/Filter keep(I)Z: method modifiers changed (+abstract); reported, not applied: the running body stays");
        assertTrue(h.classPatch("mm/Filter").methods().stream().noneMatch(m -> m.name().equals("keep")), "no body replaces it");
        assertTrue(h.classPatch("mm/Filter").methods().stream().anyMatch(m -> m.name().equals("apply")));
    }

    @Test
    void finalRemovedFromAMethodIsReportedUnlessAClassOfTheNewBuildOverridesIt() {
        String v1 = "package mm; public class Base { public final int v() { return 1; } }";
        String sub = "package mm; public class Sub extends Base { public int w() { return 2; } }";
        DiffHarness open = diff(Map.of("mm.Base", v1, "mm.Sub", sub), Map.of("mm.Base", v1.replace("final int", "int"), "mm.Sub", sub));
        assertReported(open, "mm/Base v()I: method modifiers changed (-final); reported, not applied");
        DiffHarness overridden = diff(Map.of("mm.Base", v1, "mm.Sub", sub), Map.of("mm.Base", v1.replace("final int", "int"),
                "mm.Sub", sub.replace("public int w()", "public int v() { return 3; } public int w()")));
        assertRefused(overridden, "mm/Base v()I: method no longer final, and mm/Sub of the new build overrides it");
    }

    // ------------------------------------------------------------------ field modifiers

    @Test
    void transientChangedIsReportedInAClassThatIsNotSerializableAndRefusedInOneThatIs() {
        String plain = "package fm; public class Holder { private Object value; public Object get() { return value; } }";
        DiffHarness h = diff(Map.of("fm.Holder", plain), Map.of("fm.Holder", plain.replace("private Object", "private transient Object")));
        assertReported(h, "fm/Holder value: field modifiers changed (+transient); reported, not applied (the running member keeps "
                + "its own); the class is not serializable");
        String ser = "package fm; public class Holder implements java.io.Serializable { private Object value; "
                + "public Object get() { return value; } }";
        DiffHarness s = diff(Map.of("fm.Holder", ser), Map.of("fm.Holder", ser.replace("private Object", "private transient Object")));
        // commons-io 2.15.0 -> 2.15.1 DelegateFileFilter and others
        assertRefused(s, "fm/Holder value: field modifiers changed (+transient) in a serializable class: Java serialization of "
                + "the running class follows the running modifiers");
        String inherited = "package fm; public class Holder extends java.util.ArrayList<Object> { private Object value; }";
        DiffHarness i = diff(Map.of("fm.Holder", inherited), Map.of("fm.Holder", inherited.replace("private Object", "private transient Object")));
        assertRefused(i, "(+transient) in a serializable class");
        assertEquals(List.of(), s.result.patch().map(Patch::unappliedChanges).orElse(List.of()));
    }
}
