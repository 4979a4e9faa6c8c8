package dev.atlas.corpus.child;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** How {@link RenamedSuite} renames a suite's class names in the strings of a class file's constant pool. */
class RenamedSuiteTest {
    private final RenamedSuite suite = RenamedSuite.of(Set.of("p/FooTest", "p/q/Util"), "_AtlasRun7");

    @Test
    void namesInEveryFormAreRenamedWithTheirNestedClasses() {
        assertEquals("p/FooTest_AtlasRun7", suite.renameIn("p/FooTest"));
        assertEquals("p/FooTest_AtlasRun7$1", suite.renameIn("p/FooTest$1"));
        assertEquals("(ILp/FooTest_AtlasRun7;[Lp/q/Util_AtlasRun7$In;)V", suite.renameIn("(ILp/FooTest;[Lp/q/Util$In;)V"));
        assertEquals("(IJLp/FooTest_AtlasRun7;)Lp/q/Util_AtlasRun7;", suite.renameIn("(IJLp/FooTest;)Lp/q/Util;"));
        assertEquals("Ljava/util/List<Lp/FooTest_AtlasRun7;>;", suite.renameIn("Ljava/util/List<Lp/FooTest;>;"));
        assertEquals("p.FooTest_AtlasRun7#arguments", suite.renameIn("p.FooTest#arguments"));
        assertEquals("p.q.Util_AtlasRun7$In", suite.renameIn("p.q.Util$In"));
        assertEquals("p.FooTest_AtlasRun7$In", suite.renamed("p.FooTest$In"));
    }

    @Test
    void otherNamesAndResourcePathsAreLeftAlone() {
        for (String s : new String[] {"p/FooTests", "p/FooTest.txt", "x/p/FooTest", "Lp/Library;", "p.FooTest.method",
                "FooTest", "p/q/Util/data.xml", "LpFooTest;", "", "a p.FooTestX b"}) {
            assertEquals(s, suite.renameIn(s), s);
        }
    }

    @Test
    void theLaidOutCopiesOfTextResourcesNameTheRenamedClasses(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        java.nio.file.Path jar = tmp.resolve("tests.jar");
        String xml = "<config config-class=\"p.FooTest$Impl\" other=\"p.FooTests\"/>";
        byte[] serialised = {(byte) 0xAC, (byte) 0xED, 0, 5, 's', 'r', 0, 9, 'p', '.', 'F', 'o', 'o', 'T', 'e', 's', 't'};
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("conf/builder.xml"));
            out.write(xml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.putNextEntry(new java.util.jar.JarEntry("conf/object.ser"));
            out.write(serialised);
            out.putNextEntry(new java.util.jar.JarEntry("conf/absent.xml"));
            out.write(xml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        java.nio.file.Path dir = tmp.resolve("test-classes");
        java.nio.file.Files.createDirectories(dir.resolve("conf"));
        java.nio.file.Files.writeString(dir.resolve("conf/builder.xml"), xml);
        java.nio.file.Files.write(dir.resolve("conf/object.ser"), serialised);
        assertEquals(1, suite.renameResources(java.util.List.of(jar), java.util.List.of(dir, tmp.resolve("none"))));
        assertEquals("<config config-class=\"p.FooTest_AtlasRun7$Impl\" other=\"p.FooTests\"/>",
                java.nio.file.Files.readString(dir.resolve("conf/builder.xml")));
        org.junit.jupiter.api.Assertions.assertArrayEquals(serialised, java.nio.file.Files.readAllBytes(dir.resolve("conf/object.ser")));
        assertEquals(false, java.nio.file.Files.exists(dir.resolve("conf/absent.xml")));
    }

    @Test
    void theOriginalNamesComeBackFromIdsAndFailures() {
        assertEquals("[class:p.FooTest]/[method:m(p.q.Util$In)]",
                RenamedSuite.original("[class:p.FooTest_AtlasRun7]/[method:m(p.q.Util_AtlasRun12$In)]"));
        assertEquals("p.FooTest_AtlasRunner", RenamedSuite.original("p.FooTest_AtlasRunner"));
    }
}
