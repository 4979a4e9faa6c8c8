package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.format.ClassPatch;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RefusalTest {
    @TempDir
    Path tmp;

    static final String BASE = "package p; public class Base { public int id() { return 1; } }";
    static final String SUB_V1 = """
            package p;
            public class Sub extends Base {
                private int count;
                public Sub() { count = 1; }
                public int count() { return count; }
                public int twice() { return 2 * count; }
                private int unused() { return 0; }
            }
            """;

    DiffHarness diff(String v2) {
        return new DiffHarness(tmp, Map.of("p.Base", BASE, "p.Sub", SUB_V1), Map.of("p.Base", BASE, "p.Sub", v2));
    }

    @Test
    void changedSuperclassIsRefused() {
        DiffHarness h = diff(SUB_V1.replace("extends Base", "extends Object"));
        assertTrue(h.refusedWith("p/Sub: superclass changed from p/Base to java/lang/Object"), h.result.refusals()::toString);
    }

    @Test
    void changedInterfacesAreRefused() {
        DiffHarness h = diff(SUB_V1.replace("extends Base", "extends Base implements Runnable")
                .replace("private int unused()", "public void run() { } private int unused()"));
        assertTrue(h.refusedWith("interfaces changed from [] to [java/lang/Runnable]"), h.result.refusals()::toString);
    }

    @Test
    void retypedFieldIsAddedBesideWithItsValueStatedARemovedOneKept() {
        DiffHarness h = diff(SUB_V1.replace("private int count;", "private long count;").replace("return count;", "return (int) count;")
                .replace("2 * count", "2 * (int) count"));
        assertFalse(h.result.isRefused(), h.result.refusals()::toString);
        assertTrue(h.result.notes().stream().anyMatch(x -> x.contains("p/Sub count: field type changed from I to J; the new view uses "
                + "a field of the new type added beside it (count$atlas$retyped)") && x.contains("the default value of J (the running "
                + "I cannot be converted)")), h.result.notes()::toString);
        DiffHarness kind = diff(SUB_V1.replace("private int count;", "private static long count;").replace("return count;",
                "return (int) count;").replace("2 * count", "2 * (int) count"));
        assertTrue(kind.refusedWith("p/Sub count: field type changed from I to J and between static and instance"),
                kind.result.refusals()::toString);
        DiffHarness removed = new DiffHarness(tmp.resolve("r"), Map.of("p.Base", BASE, "p.Sub",
                SUB_V1.replace("private int count;", "private int count; public int spare;")), Map.of("p.Base", BASE, "p.Sub", SUB_V1));
        assertFalse(removed.result.isRefused(), removed.result.refusals()::toString);
        assertTrue(removed.result.notes().stream().anyMatch(x -> x.contains("p/Sub spare: field removed in the new build; kept")),
                removed.result.notes()::toString);
    }

    @Test
    void removedMethodIsKeptAndNotedAnOverrideRunsTheInheritedOne() {
        DiffHarness h = diff(SUB_V1.replace("public int twice() { return 2 * count; }", ""));
        assertTrue(h.patch().isEmpty(), h.result.refusals()::toString);
        assertTrue(h.result.notes().stream().anyMatch(n -> n.contains("twice()I: method removed in the new build; kept")),
                h.result.notes()::toString);
        DiffHarness override = new DiffHarness(tmp.resolve("o"), Map.of("p.Base", BASE, "p.Sub",
                SUB_V1.replace("private int unused()", "public String toString() { return \"s\"; } private int unused()")),
                Map.of("p.Base", BASE, "p.Sub", SUB_V1));
        assertFalse(override.result.isRefused(), override.result.refusals()::toString);
        assertTrue(override.result.notes().stream().anyMatch(n -> n.contains("p/Sub toString()Ljava/lang/String;: overriding "
                + "method removed; in the new view it runs the inherited java.lang.Object.toString")), override.result.notes()::toString);
        assertEquals("replaced$toString", override.classPatch("p/Sub").methods().getFirst().bodyMethodName());
        DiffHarness ok = new DiffHarness(tmp.resolve("ok"), Map.of("p.Base", BASE, "p.Sub", SUB_V1),
                Map.of("p.Base", BASE, "p.Sub", SUB_V1.replace("private int unused() { return 0; }", "")));
        assertTrue(ok.patch().isEmpty());
        assertTrue(ok.result.notes().stream().anyMatch(n -> n.contains("unused()I: private method removed")), ok.result.notes()::toString);
    }

    @Test
    void classModifierChangesNothingInTheNewBuildNeedsAreReportedNotApplied() {
        DiffHarness h = diff(SUB_V1.replace("public class Sub", "public final class Sub").replace("2 * count", "3 * count"));
        assertTrue(h.result.notes().stream().anyMatch(n -> n.contains("p/Sub: class modifiers changed (+final); reported, not applied")), h.result.notes()::toString);
        assertTrue(h.classPatch("p/Sub").methods().stream().anyMatch(m -> m.name().equals("twice")));
        DiffHarness a = diff(SUB_V1.replace("public class Sub", "public abstract class Sub").replace("2 * count", "3 * count"));
        assertFalse(a.result.isRefused(), a.result.refusals()::toString);
        assertTrue(a.result.notes().stream().anyMatch(n -> n.contains("p/Sub: class modifiers changed (+abstract); "
                + "reported, not applied")), a.result.notes()::toString);
        assertTrue(a.classPatch("p/Sub").methods().stream().anyMatch(m -> m.name().equals("twice")));
        DiffHarness narrowed = diff(SUB_V1.replace("public class Sub", "class Sub"));
        assertTrue(narrowed.result.notes().stream().anyMatch(n -> n.contains("p/Sub: class modifiers changed (-public); "
                + "reported, not applied")), narrowed.result.notes()::toString);
        DiffHarness concrete = new DiffHarness(tmp.resolve("abstract"), Map.of("p.Base", BASE, "p.Sub",
                SUB_V1.replace("public class Sub", "public abstract class Sub")), Map.of("p.Base", BASE, "p.Sub", SUB_V1));
        // nothing in the new build instantiates Sub (ModifierChangesPatchTest has the refused case)
        assertTrue(concrete.result.notes().stream().anyMatch(n -> n.contains("p/Sub: class modifiers changed (-abstract); "
                + "reported, not applied")), () -> concrete.result.refusals() + " " + concrete.result.notes());
    }

    @Test
    void narrowedAndWidenedAccessAndAddedFinalAreReportedAWideningThatChangesDispatchAndRemovedSynchronizedAreRefused() {
        DiffHarness narrowed = diff(SUB_V1.replace("public int twice() { return 2 * count; }", "final int twice() { return 3 * count; }"));
        assertTrue(narrowed.result.notes().stream().anyMatch(n -> n.contains("twice()I: method modifiers changed (public -> package-private, +final)")),
                narrowed.result.notes()::toString);
        assertTrue(narrowed.classPatch("p/Sub").methods().stream().anyMatch(m -> m.name().equals("twice")));
        DiffHarness varargs = new DiffHarness(tmp.resolve("va"), Map.of("p.Base", BASE, "p.Sub",
                SUB_V1.replace("private int unused()", "public int sum(int[] xs) { return xs.length; } private int unused()")),
                Map.of("p.Base", BASE, "p.Sub", SUB_V1.replace("private int unused()", "public int sum(int... xs) { return xs.length; } private int unused()")));
        assertTrue(varargs.result.notes().stream().anyMatch(n -> n.contains("sum([I)I: method modifiers changed (+varargs)")),
                () -> varargs.result.refusals() + " " + varargs.result.notes());
        DiffHarness widened = diff(SUB_V1.replace("private int unused()", "public int unused()"));
        assertFalse(widened.result.isRefused(), widened.result.refusals()::toString);
        assertTrue(widened.result.notes().stream().anyMatch(n -> n.contains("p/Sub unused()I: method modifiers changed (private -> "
                + "public); reported, not applied (the running member keeps its own); access widened")), widened.result.notes()::toString);
        DiffHarness nowOverridden = new DiffHarness(tmp.resolve("w"), Map.of("p.Base", BASE, "p.Sub", SUB_V1,
                "p.Leaf", "package p; public class Leaf extends Sub { public int unused() { return 5; } }"),
                Map.of("p.Base", BASE, "p.Sub", SUB_V1.replace("private int unused()", "int unused()"),
                "p.Leaf", "package p; public class Leaf extends Sub { public int unused() { return 5; } }"));
        assertTrue(nowOverridden.refusedWith("p/Sub unused()I: method access widened (private -> package-private) of a method "
                + "that p/Leaf now overrides"), nowOverridden.result.refusals()::toString);
        DiffHarness locked = diff(SUB_V1.replace("public int count()", "public synchronized int count()"));
        assertFalse(locked.result.isRefused(), locked.result.refusals()::toString);
        assertTrue(locked.classPatch("p/Sub").methods().stream().anyMatch(m -> m.name().equals("count")),
                "same code, now synchronized: replaced by a body that takes the lock");
        DiffHarness unlocked = new DiffHarness(tmp.resolve("s"), Map.of("p.Base", BASE, "p.Sub",
                SUB_V1.replace("public int count()", "public synchronized int count()")), Map.of("p.Base", BASE, "p.Sub", SUB_V1));
        assertFalse(unlocked.result.isRefused(), unlocked.result.refusals()::toString);
        assertTrue(unlocked.result.notes().stream().anyMatch(n -> n.startsWith("p/Sub count()I: no longer synchronized in the new "
                + "release, but calls still take the monitor of the receiver (the Sub object)")
                && n.endsWith("(it makes no call that can block)")), unlocked.result.notes()::toString);
        DiffHarness unlockedWaiting = new DiffHarness(tmp.resolve("sw"), Map.of("p.Base", BASE, "p.Sub",
                SUB_V1.replace("public int count()", "public synchronized int count()")), Map.of("p.Base", BASE, "p.Sub",
                SUB_V1.replace("public int count() { return count; }", "public int count() { Thread.yield(); return count; }")));
        assertTrue(unlockedWaiting.refusedWith("p/Sub count()I: method no longer synchronized"),
                unlockedWaiting.result.refusals()::toString);
        DiffHarness unfinal = new DiffHarness(tmp.resolve("f"), Map.of("p.Base", BASE, "p.Sub", SUB_V1.replace("private int count;", "private final int count;")),
                Map.of("p.Base", BASE, "p.Sub", SUB_V1));
        assertTrue(unfinal.refusedWith("p/Sub count: field no longer final"), unfinal.result.refusals()::toString);
    }

    @Test
    void constructorWithAnotherSuperCallOrNewConstructorIsPatched() {
        String mid = BASE + " class Mid extends Base { Mid(int x) { } Mid(long x) { } }";
        DiffHarness h = new DiffHarness(tmp.resolve("s"), Map.of("p.Base", mid,
                "p.Sub", SUB_V1.replace("extends Base", "extends Mid").replace("public Sub() {", "public Sub() { super(1);")),
                Map.of("p.Base", mid,
                        "p.Sub", SUB_V1.replace("extends Base", "extends Mid").replace("public Sub() {", "public Sub() { super(2L);")));
        assertFalse(h.result.isRefused(), h.result.refusals()::toString);
        assertEquals("super(J)V", h.result.patchOrThrow().classes().getFirst().methods().getFirst().initCall(),
                "the new call, made by the re-routing guard");
        DiffHarness args = new DiffHarness(tmp.resolve("a"), Map.of("p.Base", mid,
                "p.Sub", SUB_V1.replace("extends Base", "extends Mid").replace("public Sub() {", "public Sub() { super(1);")),
                Map.of("p.Base", mid,
                        "p.Sub", SUB_V1.replace("extends Base", "extends Mid").replace("public Sub() {", "public Sub() { super(2);")));
        assertFalse(args.result.isRefused(), "only the argument changed: patched through atlas$initArgs");
        DiffHarness changedBody = diff(SUB_V1.replace("count = 1;", "count = 2;"));
        assertFalse(changedBody.result.isRefused(), changedBody.result.refusals()::toString);
        DiffHarness n = new DiffHarness(tmp.resolve("n"), Map.of("p.Base", BASE, "p.Sub", SUB_V1),
                Map.of("p.Base", BASE, "p.Sub", SUB_V1.replace("public Sub() {", "public Sub(int c) { count = c; } public Sub() {")));
        assertFalse(n.result.isRefused(), n.result.refusals()::toString);
    }

    @Test
    void newOverrideOfANativeMethodOutsideTheBuildIsRefusedOfOtherMethodsAdded() {
        DiffHarness h = diff(SUB_V1.replace("private int unused()", "public int id() { return 2; } public String toString() { return \"s\"; } "
                + "public int hashCode() { return 7; } private int unused()"));
        assertTrue(h.refusedWith("p/Sub hashCode()I: new method overrides java/lang/Object.hashCode, a native method"),
                h.result.refusals()::toString);
        assertEquals(1, h.result.refusals().size(), h.result.refusals()::toString);
        DiffHarness jdk = diff(SUB_V1.replace("private int unused()", "public String toString() { return \"s\"; } private int unused()"));
        assertFalse(jdk.result.isRefused(), jdk.result.refusals()::toString);
        assertEquals("added$toString", jdk.classPatch("p/Sub").methods().getFirst().bodyMethodName());
        assertTrue(jdk.result.notes().stream().anyMatch(n -> n.contains("p/Sub toString()Ljava/lang/String;: new override of "
                + "java.lang.Object.toString, which is outside the build")), jdk.result.notes()::toString);
        DiffHarness inBuild = diff(SUB_V1.replace("private int unused()", "public int id() { return 2; } private int unused()"));
        assertEquals("added$id", inBuild.classPatch("p/Sub").methods().getFirst().bodyMethodName());
        assertTrue(inBuild.result.notes().stream().anyMatch(n -> n.contains("p/Sub id()I: new override of p.Base.id")),
                inBuild.result.notes()::toString);
    }

    @Test
    void aChangedEnumConstantInitialiserWhoseStateIsReadableOutsideTheEnumIsRefusedWithReasonAndRemedy() {
        String v1 = "package p; public enum Size { S(1), M(2); final int n; Size(int n) { this.n = n; } public int n() { return n; } }";
        DiffHarness h = DiffHarness.of(tmp.resolve("i"), "p.Size", v1, v1.replace("M(2)", "M(3)"));
        // the new view would read M's new state through a twin (EnumConstantStates), but n is readable outside the enum
        assertTrue(h.refusedWith("p/Size <clinit>: the static state of this enum would have to be rebuilt for the new view (the "
                + "initialiser of enum constant M changed), but constants [M] get the new release's state for the new view (a "
                + "twin of each, built by the new static initialiser, whose fields the new view reads), but instance fields [n] "
                + "are not private, so code outside the patch (classes loaded before or after the apply) may read the running "
                + "constant's value in the new view; remedy: restart on the new release"), h.result.refusals()::toString);
    }

    @Test
    void removedOrReorderedEnumConstantsAreRefused() {
        String v1 = "package p; public enum Color { RED, GREEN; public String low() { return name().toLowerCase(); } }";
        String bodies = v1.replace("RED,", "RED { public String low() { return \"r\"; } },");
        DiffHarness withBody = DiffHarness.of(tmp, "p.Color", bodies, bodies.replace("GREEN;", "GREEN, BLUE { public String low() { return \"b\"; } };"));
        assertTrue(withBody.refusedWith("added class calls a private constructor of p/Color (an added class is no nestmate of it)"),
                withBody.result.refusals()::toString);
        DiffHarness removed = DiffHarness.of(tmp.resolve("r"), "p.Color", v1, v1.replace("RED, GREEN;", "RED;"));
        assertTrue(removed.refusedWith("constants [GREEN] removed"), removed.result.refusals()::toString);
        DiffHarness reordered = DiffHarness.of(tmp.resolve("o"), "p.Color", v1, v1.replace("RED, GREEN;", "GREEN, RED;"));
        assertTrue(reordered.refusedWith("constants reordered: ordinals are fixed"), reordered.result.refusals()::toString);
        DiffHarness body = DiffHarness.of(tmp.resolve("b"), "p.Color", v1, v1.replace("toLowerCase()", "toUpperCase()"));
        assertEquals(List.of("low"), body.classPatch("p/Color").methods().stream().map(m -> m.name()).toList());
    }

    @Test
    void annotationOnlyChangesAreIgnoredAndNoted() {
        DiffHarness h = diff(SUB_V1.replace("public int twice()", "@Deprecated public int twice()"));
        assertTrue(h.patch().isEmpty());
        assertTrue(h.result.notes().stream().anyMatch(n -> n.contains("p/Sub: annotation-only differences ignored")), h.result.notes()::toString);
    }

    static final String LIST_V1 = """
            package p;
            public class Named extends java.util.AbstractList<String> {
                public String get(int i) { return "x"; }
                public int size() { return 1; }
                public String toString() { return "named"; }
                public void trim() { }
            }
            """;

    @Test
    void superCallsAndProtectedMembersOfOtherPackagesAreLinked() throws Throwable {
        String v2 = LIST_V1.replace("return \"named\";", "return \"named:\" + super.toString();")
                .replace("public void trim() { }", "public void trim() { removeRange(0, 0); modCount++; }");
        DiffHarness h = DiffHarness.of(tmp, "p.Named", LIST_V1, v2);
        ClassPatch cp = h.classPatch("p/Named");
        List<String> indys = DiffHarness.indys(cp.bodyClass());
        assertTrue(indys.contains("linkSuper toString (Lp/Named;)Ljava/lang/String; [p/Named, java/util/AbstractList]"), indys::toString);
        assertTrue(indys.contains("linkVirtual removeRange (Lp/Named;II)V [p/Named, java/util/AbstractList, 0]"), indys::toString);
        assertTrue(indys.contains("linkVirtual modCount (Lp/Named;)I [p/Named, java/util/AbstractList, 1]"), indys::toString);
        assertTrue(indys.contains("linkVirtual modCount (Lp/Named;I)V [p/Named, java/util/AbstractList, 2]"), indys::toString);
    }

    @Test
    void everyRefusalIsReportedAndNoPatchIsMade() {
        DiffHarness h = diff(SUB_V1.replace("extends Base", "extends Object").replace("count = 1;", "count = 3;")
                .replace("public int twice() { return 2 * count; }", "public synchronized void s() { } public native void n();"));
        assertTrue(h.result.isRefused());
        assertTrue(h.result.patch().isEmpty());
        assertTrue(h.result.refusals().size() >= 2, h.result.refusals()::toString);
        assertTrue(h.refusedWith("p/Sub: superclass changed"), h.result.refusals()::toString);
        assertTrue(h.refusedWith("p/Sub n()V: new native method"), h.result.refusals()::toString);
    }

    @Test
    void removedPrivateMethodStillReferencedByTheNewBuildIsRefused() throws Exception {
        // an inconsistent incremental build: Outer recompiled without helper(), a stale Outer$Inner still calls it
        String v1 = """
                package p;
                public class Outer {
                    private int helper() { return 1; }
                    public int value() { return helper(); }
                    public class Inner { public int call() { return helper(); } }
                }
                """;
        Path old = dev.atlas.patch.Fixtures.compile(tmp.resolve("v1"), Map.of("p.Outer", v1));
        Path neu = dev.atlas.patch.Fixtures.compile(tmp.resolve("v2"), Map.of("p.Outer", v1));
        java.nio.file.Path inner = neu.resolve("p/Outer$Inner.class");
        byte[] stale = java.nio.file.Files.readAllBytes(inner);
        dev.atlas.patch.Fixtures.compile(neu, Map.of("p.Outer", "package p; public class Outer { public int value() { return 2; } }"));
        java.nio.file.Files.write(inner, stale);
        BuildResult r = PatchBuilder.diff(old, neu, BuildOptions.defaults());
        assertTrue(r.refusals().stream().anyMatch(x -> x.toString().equals(
                "p/Outer helper()I: method removed but still referenced by the new build")), r.refusals()::toString);
    }

    /**
     * A new default method of an interface whose running implementation the new release
     * removes (commons-text 1.9 renamed its matcher classes and added {@code StringMatcher.size()}):
     * objects of the removed class, made before the apply, would run the default body where
     * the new release runs another class's method. Refused, naming the class; the same
     * interface change with every implementation kept builds.
     */
    @Test
    void aNewInterfaceMethodIsRefusedWhenTheNewReleaseRemovesARunningImplementation(@TempDir Path tmp) throws Exception {
        String i1 = "package q; public interface M { int match(String s); }";
        String i2 = "package q; public interface M { int match(String s); default int size() { return 0; } }";
        String gone = "package q; public final class Gone implements M { public int match(String s) { return 1; } }";
        String renamed = "package q; public final class Renamed implements M { public int match(String s) { return 1; } public int size() { return 1; } }";
        String keep1 = "package q; public final class Keep implements M { public int match(String s) { return 2; } }";
        String keep2 = "package q; public final class Keep implements M { public int match(String s) { return 2; } public int size() { return 2; } }";
        Path old = dev.atlas.patch.Fixtures.compile(tmp.resolve("v1"), Map.of("q.M", i1, "q.Gone", gone, "q.Keep", keep1));
        Path neu = dev.atlas.patch.Fixtures.compile(tmp.resolve("v2"), Map.of("q.M", i2, "q.Renamed", renamed, "q.Keep", keep2));
        BuildResult r = PatchBuilder.diff(old, neu, BuildOptions.defaults());
        assertTrue(r.patch().isEmpty(), r.notes()::toString);
        assertTrue(r.refusals().stream().anyMatch(x -> x.className().equals("q/M") && x.member().equals("size()I")
                && x.reason().contains("q/Gone implements the interface without it and is removed by the new release")
                && x.reason().contains("remedy: restart on the new release")), r.refusals()::toString);

        Path kept = dev.atlas.patch.Fixtures.compile(tmp.resolve("v3"), Map.of("q.M", i2, "q.Gone", gone, "q.Keep", keep2));
        BuildResult ok = PatchBuilder.diff(old, kept, BuildOptions.defaults());
        assertTrue(ok.refusals().isEmpty(), ok.refusals()::toString);
        assertTrue(ok.patch().isPresent());
    }
}
