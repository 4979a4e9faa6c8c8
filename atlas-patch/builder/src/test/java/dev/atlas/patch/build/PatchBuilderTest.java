package dev.atlas.patch.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.patch.format.ClassPatch;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.MethodChange;
import dev.atlas.patch.format.Patch;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatchBuilderTest {
    @TempDir
    Path tmp;

    static final String CALC_V1 = """
            package p;
            public class Calc {
                private int base = 10;
                public int add(int a, int b) { return a + b; }
                public static String greet(String who) { return "hello " + who; }
                public int scaled(int x) { return x * base; }
                private int secret() { return 7; }
            }
            """;

    @Test
    void changedBodiesAreReplacedAndRunLikeTheNewBuild() throws Throwable {
        String v2 = CALC_V1.replace("return a + b;", "return a + b + 1;")
                .replace("\"hello \" + who", "\"hi \" + who + \"!\"")
                .replace("return x * base;", "return x * base + secret();");
        DiffHarness h = DiffHarness.of(tmp, "p.Calc", CALC_V1, v2);
        ClassPatch cp = h.classPatch("p/Calc");
        assertEquals(List.of(MethodChange.of(MethodChange.Kind.REPLACED, "add", "(II)I", false),
                MethodChange.of(MethodChange.Kind.REPLACED, "greet", "(Ljava/lang/String;)Ljava/lang/String;", true),
                MethodChange.of(MethodChange.Kind.REPLACED, "scaled", "(I)I", false)), cp.methods());
        assertTrue(cp.addedFields().isEmpty());
        Patch patch = h.patch();
        assertEquals("p/Calc$$AtlasPatch$" + patch.id8(),
                java.lang.classfile.ClassFile.of().parse(cp.bodyClass()).thisClass().asInternalName());

        Object calc = h.v1Class("p.Calc").getConstructor().newInstance();
        MethodHandle add = h.bodyMethod("p.Calc", "replaced$add");
        assertEquals(6, (int) add.invoke(calc, 2, 3));
        assertEquals("hi bob!", (String) h.bodyMethod("p.Calc", "replaced$greet").invoke("bob"));
        assertEquals(37, (int) h.bodyMethod("p.Calc", "replaced$scaled").invoke(calc, 3)); // private field and method
    }

    @Test
    void debugOnlyDifferencesGiveAnEmptyPatchWithANote() {
        String v2 = CALC_V1.replace("public int add", "\n\n   public int add"); // moves line numbers
        DiffHarness h = DiffHarness.of(tmp, "p.Calc", CALC_V1, v2);
        assertTrue(h.patch().isEmpty());
        assertTrue(h.result.notes().stream().anyMatch(n -> n.contains("p/Calc: debug-only differences ignored")), h.result.notes()::toString);
    }

    @Test
    void newMethodsAreAddedAndCalledThroughLinkAdded() throws Throwable {
        String v2 = CALC_V1.replace("return a + b;", "return twice(a) + b + offset() + helper(\"x\");")
                .replace("private int secret()", """
                        static int twice(int v) { return 2 * v; }
                        public int offset() { return base / 10; }
                        private int helper(String s) { return s.length(); }
                        private int secret()""");
        DiffHarness h = DiffHarness.of(tmp, "p.Calc", CALC_V1, v2);
        ClassPatch cp = h.classPatch("p/Calc");
        assertEquals(List.of(MethodChange.of(MethodChange.Kind.REPLACED, "add", "(II)I", false),
                MethodChange.of(MethodChange.Kind.ADDED, "twice", "(I)I", true),
                MethodChange.of(MethodChange.Kind.ADDED, "offset", "()I", false),
                MethodChange.of(MethodChange.Kind.ADDED, "helper", "(Ljava/lang/String;)I", false)), cp.methods());
        List<String> indys = DiffHarness.indys(cp.bodyClass());
        assertTrue(indys.contains("linkAdded twice (I)I [p/Calc, twice, (I)I, 1]"), indys::toString);
        assertTrue(indys.contains("linkAdded offset (Lp/Calc;)I [p/Calc, offset, ()I, 0]"), indys::toString);
        assertTrue(indys.contains("linkAdded helper (Lp/Calc;Ljava/lang/String;)I [p/Calc, helper, (Ljava/lang/String;)I, 0]"),
                indys::toString);
        Object calc = h.v1Class("p.Calc").getConstructor().newInstance();
        assertEquals(14, (int) h.bodyMethod("p.Calc", "added$twice").invoke(7));
        assertEquals(1, (int) h.bodyMethod("p.Calc", "added$offset").invoke(calc));
        assertEquals(3, (int) h.bodyMethod("p.Calc", "added$helper").invoke(calc, "abc"));
    }

    static final String FIELDS_V1 = """
            package p;
            import java.util.*;
            public class Counter {
                static int created;
                private int count;
                public Counter() { created++; }
                public Counter(int start) { count = start; }
                public int next() { return ++count; }
                public static int created() { return created; }
            }
            """;

    @Test
    void newFieldsBecomeShadowFieldsWithInitialisers() throws Throwable {
        String v2 = FIELDS_V1.replace("private int count;", """
                        private int count;
                        private int hits = 5;
                        private String tag = "t" + hits;
                        private long untouched;
                        static List<String> LOG = new ArrayList<>(List.of("boot"));
                        static final int LIMIT = 3;
                        static String lazy;""")
                .replace("return ++count;", "hits++; untouched += 2; LOG.add(tag); return ++count + LIMIT;");
        DiffHarness h = DiffHarness.of(tmp, "p.Counter", FIELDS_V1, v2);
        ClassPatch cp = h.classPatch("p/Counter");
        assertEquals(List.of(new FieldAddition("hits", "I", false, "init$hits"),
                new FieldAddition("tag", "Ljava/lang/String;", false, "init$tag"),
                new FieldAddition("untouched", "J", false, null),
                new FieldAddition("LOG", "Ljava/util/List;", true, "init$LOG"),
                new FieldAddition("LIMIT", "I", true, "init$LIMIT"),
                new FieldAddition("lazy", "Ljava/lang/String;", true, null)), cp.addedFields());
        assertEquals(List.of(MethodChange.of(MethodChange.Kind.REPLACED, "next", "()I", false),
                MethodChange.of(MethodChange.Kind.ADDED, "atlas$initializeAddedStatics", "()V", true),
                MethodChange.of(MethodChange.Kind.ADDED, "atlas$transfer", "()V", true)), cp.methods(),
                "LOG's statement runs in the added statics' holder, read by a generated hook at the apply (AddedStatics)");
        List<String> indys = DiffHarness.indys(cp.bodyClass());
        assertTrue(indys.contains("linkField get (Lp/Counter;)I [p/Counter, hits, I, 0]"), indys::toString);
        assertTrue(indys.contains("linkField put (Lp/Counter;I)V [p/Counter, hits, I, 0]"), indys::toString);
        assertTrue(indys.contains("linkField get ()Ljava/util/List; [p/Counter, LOG, Ljava/util/List;, 1]"), indys::toString);
        // the tag initialiser reads the new field hits: through the link as well
        Object counter = h.v1Class("p.Counter").getConstructor().newInstance();
        assertEquals(5, (int) h.bodyMethod("p.Counter", "init$hits").invoke(counter));
        // init$LOG reads the holder the patch adds (defined at apply, not by this harness: AddedStaticsPatchTest)
        assertTrue(h.patch().addedClasses().stream().anyMatch(a -> a.className().startsWith(
                "p/Counter$atlas$AddedStatics$$AtlasPatch$")), () -> h.patch().addedClasses().toString());
        assertEquals(3, (int) h.bodyMethod("p.Counter", "init$LIMIT").invoke());
    }

    @Test
    void newFieldSetFromAConstructorParameterReplacesTheConstructorOldObjectsGetTheDefault() {
        String v2 = FIELDS_V1.replace("private int count;", "private int count; private int first;")
                .replace("count = start;", "count = start; first = start;");
        DiffHarness h = DiffHarness.of(tmp, "p.Counter", FIELDS_V1, v2);
        assertTrue(h.classPatch("p/Counter").methods().stream().anyMatch(m -> m.name().equals("<init>")),
                () -> h.patch().toString());
        List<String> unapplied = h.patch().unappliedChanges();
        assertEquals(1, unapplied.size(), unapplied::toString);
        assertTrue(unapplied.get(0).startsWith("p/Counter: objects created before the apply read the default values of the new "
                + "field(s) first = 0, which the changed constructor <init>(I)V sets (the initialiser of first uses constructor "
                + "parameters"), unapplied.get(0));
        assertTrue(h.result.notes().contains(unapplied.get(0)), "also a build note");
    }

    @Test
    void newFieldsWithConstantInitialisersAreNotReportedAsLeftAtTheirDefaults() {
        String v2 = FIELDS_V1.replace("private int count;", "private int count; private int first = 7;");
        DiffHarness h = DiffHarness.of(tmp, "p.Counter", FIELDS_V1, v2);
        assertFalse(h.result.isRefused(), h.result.refusals()::toString);
        assertTrue(h.patch().unappliedChanges().isEmpty(), h.patch().unappliedChanges()::toString);
    }

    static final String STATIC_V1 = """
            package p;
            public class Config {
                static int LIMIT;
                static { LIMIT = 5; }
                public static int limit() { return LIMIT; }
            }
            """;

    @Test
    void changedStaticInitialiserIsReRunForTheNewViewOrTakenOverByATransferHook() {
        String v2 = STATIC_V1.replace("LIMIT = 5;", "LIMIT = 6;");
        DiffHarness rerun = DiffHarness.of(tmp.resolve("a"), "p.Config", STATIC_V1, v2);
        assertFalse(rerun.result.isRefused(), rerun.result.refusals()::toString);
        assertTrue(rerun.result.notes().stream().anyMatch(n -> n.startsWith("p/Config <clinit>")
                && n.contains("the new view runs the new release's whole static initialiser")
                && n.contains("not final, so separate per view from now on")), rerun.result.notes()::toString);
        assertNull(rerun.classPatch("p/Config").transferHook());

        String withHook = v2.replace("public static int limit()", "static void atlas$transfer() { LIMIT = 6; }\n public static int limit()");
        DiffHarness h = DiffHarness.of(tmp.resolve("b"), "p.Config", STATIC_V1, withHook);
        ClassPatch cp = h.classPatch("p/Config");
        assertEquals("added$atlas$transfer", cp.transferHook());
        assertTrue(h.result.notes().stream().anyMatch(n -> n.contains("static initialiser itself is not re-run")));
    }

    @Test
    void newStaticFieldInitialiserAloneIsAccepted() {
        String v2 = STATIC_V1.replace("static int LIMIT;", "static int LIMIT; static String NAME = \"cfg\".toUpperCase();");
        DiffHarness h = DiffHarness.of(tmp, "p.Config", STATIC_V1, v2);
        ClassPatch cp = h.classPatch("p/Config");
        assertEquals("added$atlas$transfer", cp.transferHook(), "generated: values the added static at the apply (AddedStatics)");
        assertEquals(List.of(new FieldAddition("NAME", "Ljava/lang/String;", true, "init$NAME")), cp.addedFields());
        assertNotNull(cp.bodyClass());
    }

    @Test
    void includeAndExcludePatternsLimitTheDiff() throws Exception {
        java.util.Map<String, String> v1 = java.util.Map.of("p.Calc", CALC_V1, "q.Other", "package q; public class Other { int f() { return 1; } }");
        java.util.Map<String, String> v2 = java.util.Map.of("p.Calc", CALC_V1.replace("a + b", "a - b"),
                "q.Other", "package q; public class Other { int f() { return 2; } }");
        DiffHarness h = new DiffHarness(tmp, v1, v2);
        assertEquals(2, h.patch().classes().size());
        BuildResult onlyQ = PatchBuilder.diff(h.v1, h.v2, BuildOptions.defaults().withIncludes(List.of("q.*")));
        assertEquals(List.of("q/Other"), onlyQ.patchOrThrow().classes().stream().map(ClassPatch::className).toList());
        BuildResult notQ = PatchBuilder.diff(h.v1, h.v2, BuildOptions.defaults().withExcludes(List.of("q")));
        assertEquals(List.of("p/Calc"), notQ.patchOrThrow().classes().stream().map(ClassPatch::className).toList());
    }

    @Test
    void jarsAndDirectoriesGiveTheSamePatch() throws Exception {
        DiffHarness h = DiffHarness.of(tmp, "p.Calc", CALC_V1, CALC_V1.replace("a + b", "a * b"));
        Path j1 = jar(h.v1, tmp.resolve("v1.jar"));
        Path j2 = jar(h.v2, tmp.resolve("v2.jar"));
        assertEquals(h.patch(), PatchBuilder.diff(j1, j2, BuildOptions.defaults().withDescription("test")).patchOrThrow());
    }

    static Path jar(Path dir, Path jar) throws Exception {
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar));
             var files = java.nio.file.Files.walk(dir)) {
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                out.putNextEntry(new java.util.jar.JarEntry(dir.relativize(f).toString().replace('\\', '/')));
                out.write(java.nio.file.Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void librariesOnTheClasspathResolveInheritedMembers() throws Exception {
        Path lib = dev.atlas.patch.Fixtures.compile(tmp.resolve("lib"),
                java.util.Map.of("lib.Base", "package lib; public class Base { protected int count() { return 1; } }"));
        String v1 = "package p; public class User extends lib.Base { public int run() { return 0; } }";
        Path old = dev.atlas.patch.Fixtures.compile(tmp.resolve("v1"), java.util.Map.of("p.User", v1), "-cp", lib.toString());
        Path neu = dev.atlas.patch.Fixtures.compile(tmp.resolve("v2"),
                java.util.Map.of("p.User", v1.replace("return 0;", "return count() + 1;")), "-cp", lib.toString());

        BuildResult without = PatchBuilder.diff(old, neu, BuildOptions.defaults());
        assertTrue(without.isRefused());
        assertTrue(without.refusals().getFirst().reason().contains("class lib/Base is in neither build nor the classpath"),
                without.refusals()::toString);

        BuildResult with = PatchBuilder.diff(old, neu, BuildOptions.defaults().withClasspath(List.of(lib)));
        List<String> indys = DiffHarness.indys(with.patchOrThrow().classes().getFirst().bodyClass());
        assertEquals(List.of("linkVirtual count (Lp/User;)I [p/User, lib/Base, 0]"), indys);
    }

    @Test
    void interfaceDefaultAndPrivateMethodsArePatchable() throws Throwable {
        String v1 = """
                package p;
                public interface Greeter {
                    String name();
                    default String greet() { return "hello " + name(); }
                }
                """;
        String v2 = """
                package p;
                public interface Greeter {
                    String name();
                    default String greet() { return decorate("hi " + name()); }
                    private String decorate(String s) { return "<" + s + ">"; }
                    static String version() { return "2"; }
                }
                """;
        java.util.Map<String, String> impl = java.util.Map.of("p.Bob", "package p; public class Bob implements Greeter { public String name() { return \"bob\"; } }");
        java.util.Map<String, String> s1 = new java.util.HashMap<>(impl);
        s1.put("p.Greeter", v1);
        java.util.Map<String, String> s2 = new java.util.HashMap<>(impl);
        s2.put("p.Greeter", v2);
        DiffHarness h = new DiffHarness(tmp, s1, s2);
        ClassPatch cp = h.classPatch("p/Greeter");
        assertEquals(List.of(MethodChange.of(MethodChange.Kind.REPLACED, "greet", "()Ljava/lang/String;", false),
                MethodChange.of(MethodChange.Kind.ADDED, "decorate", "(Ljava/lang/String;)Ljava/lang/String;", false),
                MethodChange.of(MethodChange.Kind.ADDED, "version", "()Ljava/lang/String;", true)), cp.methods());
        Object bob = h.v1Class("p.Bob").getConstructor().newInstance();
        assertEquals("<hi bob>", (String) h.bodyMethod("p.Greeter", "added$decorate").invoke(bob, "hi bob"));
        assertEquals("2", (String) h.bodyMethod("p.Greeter", "added$version").invoke());
        assertTrue(DiffHarness.indys(cp.bodyClass()).contains(
                "linkAdded decorate (Lp/Greeter;Ljava/lang/String;)Ljava/lang/String; [p/Greeter, decorate, (Ljava/lang/String;)Ljava/lang/String;, 0]"),
                DiffHarness.indys(cp.bodyClass())::toString);

        java.util.Map<String, String> s3 = new java.util.HashMap<>(impl);
        s3.put("p.Greeter", v1.replace("String name();", "String name();\n String nick();"));
        s3.put("p.Bob", "package p; public class Bob implements Greeter { public String name() { return \"bob\"; } public String nick() { return \"b\"; } }");
        DiffHarness abstractAdded = new DiffHarness(tmp.resolve("r"), s1, s3);
        ClassPatch withAbstract = abstractAdded.classPatch("p/Greeter");
        assertTrue(withAbstract.methods().contains(MethodChange.of(MethodChange.Kind.ADDED, "nick", "()Ljava/lang/String;", false)),
                withAbstract.methods()::toString);
        Throwable e = org.junit.jupiter.api.Assertions.assertThrows(AbstractMethodError.class,
                () -> abstractAdded.bodyMethod("p.Greeter", "added$nick").invoke(abstractAdded.v1Class("p.Bob").getConstructor().newInstance()));
        assertTrue(e.getMessage().startsWith("p.Bob does not implement p.Greeter.nick()Ljava/lang/String;"), e.getMessage());
    }
}
