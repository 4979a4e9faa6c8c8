package dev.atlas.corpus.child;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atlas.corpus.child.fixture.FixtureState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite runner of the corpus's child JVMs, run here on fixture suites (jars made from this
 * module's {@code fixture} test classes, which are disabled unless {@code atlas.corpus.fixture}
 * is set).
 */
class SuiteRunnerTest {
    private static final String FIXTURE = "dev/atlas/corpus/child/fixture/";

    @BeforeEach
    void enableFixtures() throws IOException {
        System.setProperty("atlas.corpus.fixture", "true");
        deleteRenamedClasses();
    }

    @AfterEach
    void disableFixtures() throws IOException {
        System.clearProperty("atlas.corpus.fixture");
        deleteRenamedClasses();
    }

    /**
     * The fixture suites' renamed classes, which the runner writes into this JVM's class-path
     * directory ({@link SuiteRunner#suiteClassDirectory}: the module's {@code target/test-classes}),
     * deleted: the module's other tests see only its own classes there. Classes loaded from them stay loaded.
     */
    private static void deleteRenamedClasses() throws IOException {
        Path dir = SuiteRunner.suiteClassDirectory();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches(".*" + RenamedSuite.SUFFIX + "\\d+(\\$.*)?\\.class")).toList()) {
                Files.delete(f);
            }
        }
    }

    @Test
    void aThreadLocalOrSystemPropertyOneSuiteLeavesDoesNotReachTheNext(@TempDir Path tmp) throws IOException {
        Path leaves = jar(tmp.resolve("old-tests.jar"), "LeavesAThreadLocalTest");
        Path finds = jar(tmp.resolve("new-tests.jar"), "FindsNoThreadLocalTest");
        SuiteRunner.onItsOwnThread("old", List.of(leaves), List.of(), tmp.resolve("old.results"), null);
        SuiteRunner.onItsOwnThread("new", List.of(finds), List.of(), tmp.resolve("new.results"), null);
        assertEquals(Map.of("[engine:junit-jupiter]/[class:dev.atlas.corpus.child.fixture.LeavesAThreadLocalTest]/[method:leavesItSet()]",
                "SUCCESSFUL"), results(tmp.resolve("old.results")));
        assertEquals(Map.of("[engine:junit-jupiter]/[class:dev.atlas.corpus.child.fixture.FindsNoThreadLocalTest]/[method:findsNothingLeft()]",
                "SUCCESSFUL", "[engine:junit-jupiter]/[class:dev.atlas.corpus.child.fixture.FindsNoThreadLocalTest]/[method:findsNoPropertyLeft()]",
                "SUCCESSFUL"), results(tmp.resolve("new.results")));
        assertEquals(null, System.getProperty(FixtureState.PROPERTY));
    }

    /**
     * The old release's suite, whose jar is not on the class path, runs in the library's runtime
     * package: its tests' package-private and protected access to the library links, as on a
     * plain JVM (commons-configuration2's and commons-net's old suites failed hundreds of tests
     * with IllegalAccessError and VerifyError in a class loader of their own).
     */
    @Test
    void aSuiteNotOnTheClassPathHasPackageAccessToTheLibrary(@TempDir Path tmp) throws IOException {
        Path suite = jar(tmp.resolve("old-tests.jar"), "UsesPackageAccessTest");
        SuiteRunner.onItsOwnThread("old", List.of(suite), List.of(), tmp.resolve("old.results"), null);
        String cls = "[engine:junit-jupiter]/[class:dev.atlas.corpus.child.fixture.UsesPackageAccessTest]";
        assertEquals(Map.of(cls + "/[method:callsAPackagePrivateMethod()]", "SUCCESSFUL",
                cls + "/[method:readsAProtectedFieldOfAnotherInstance()]", "SUCCESSFUL",
                cls + "/[method:findsItsNestedClassAndItselfByName()]", "SUCCESSFUL"),
                results(tmp.resolve("old.results")), () -> causes(tmp.resolve("old.results.causes")));
    }

    @Test
    void anInvocationOfAParameterisedTestIsRecordedByItsArgumentsNotItsPosition(@TempDir Path tmp) throws IOException {
        Path suite = jar(tmp.resolve("tests.jar"), "ArgumentOrderTest");
        String template = "[engine:junit-jupiter]/[class:dev.atlas.corpus.child.fixture.ArgumentOrderTest]"
                + "/[test-template:failsForB(java.lang.String)]/[test-template-invocation:";
        Map<String, String> expected = Map.of(template + "a]", "SUCCESSFUL", template + "b]", "FAILED", template + "c]", "SUCCESSFUL");
        for (int run = 0; run < 3; run++) {   // "b" comes second, first, then third
            Path results = tmp.resolve("run-" + run + ".results");
            SuiteRunner.onItsOwnThread("run-" + run, List.of(suite), List.of(), results, null);
            assertEquals(expected, results(results), "run " + run);
        }
    }

    @Test
    void invocationsAreKeyedByDisplayNameWithoutTheIndexAndNumberedWhenTheyRepeat() {
        SuiteRunner.Keys keys = new SuiteRunner.Keys();
        String t = "[engine:junit-jupiter]/[class:a.BTest]/[test-template:t(java.util.Locale)]";
        assertEquals(t + "/[test-template-invocation:tr_CY]", keys.of(t + "/[test-template-invocation:#395]", "[395] tr_CY"));
        assertEquals(t + "/[test-template-invocation:x]", keys.of(t + "/[test-template-invocation:#1]", "x"));
        assertEquals(t + "/[test-template-invocation:x (2)]", keys.of(t + "/[test-template-invocation:#2]", "x"));
        assertEquals(t + "/[test-template-invocation:[7]]", keys.of(t + "/[test-template-invocation:#3]", "[3] [7]"));
        assertEquals(t + "/[test-template-invocation:a b]", keys.of(t + "/[test-template-invocation:#4]", "[4] a\tb"));
        String method = "[engine:junit-jupiter]/[class:a.BTest]/[method:m()]";
        assertEquals(method, keys.of(method, "m()"));
        String dynamic = "[engine:junit-jupiter]/[class:a.BTest]/[test-factory:f()]/[dynamic-test:#1]";
        assertEquals(dynamic, keys.of(dynamic, "[1] d"));
    }

    @Test
    void theWorkingDirectoryInAnInvocationsNameIsWrittenAsDot() {
        String t = "[engine:junit-jupiter]/[class:a.ArchiveReadTest]/[test-template:testArchive(java.io.File)]";
        for (String dir : new String[] {"/c/pairs/x/patched/work", "/c/pairs/x/reference/work"}) {
            assertEquals(t + "/[test-template-invocation:./target/test-classes/archives/FreeBSD.ar]",
                    new SuiteRunner.Keys(dir).of(t + "/[test-template-invocation:#3]", "[3] " + dir + "/target/test-classes/archives/FreeBSD.ar"));
        }
    }

    @Test
    void identityHashesInJUnit4ParameterizedIdsAreNumberedByTheOrderTheirObjectsComeInTheClass() {
        // two JVMs, each with its own identity hashes for the same two parameters (commons-fileupload 1.5's FileUploadTest)
        String[][] hashes = {{"69e1dd28", "1b1473ab", "5f"}, {"3d24753a", "59a6e353", "7a0ac6e3"}};
        List<List<String>> keysOfEachRun = new java.util.ArrayList<>();
        for (String[] h : hashes) {
            SuiteRunner.Keys keys = new SuiteRunner.Keys();
            List<String> k = new java.util.ArrayList<>();
            for (String hash : new String[] {h[0], h[1]}) {
                k.add(keys.of(vintage("org.apache.commons.fileupload.FileUploadTest", "testFileUpload", "org.a.ServletFileUpload@" + hash),
                        "testFileUpload[org.a.ServletFileUpload@" + hash + "]"));
            }
            k.add(keys.of(vintage("org.apache.commons.fileupload.OtherTest", "testIt", "org.a.ServletFileUpload@" + h[2]),
                    "testIt[org.a.ServletFileUpload@" + h[2] + "]"));
            k.add(keys.of(vintage("org.apache.commons.fileupload.FileUploadTest", "testOther", "org.a.ServletFileUpload@" + h[0]),
                    "testOther[org.a.ServletFileUpload@" + h[0] + "]"));
            k.add(keys.of(vintage("a.LambdaTest", "t", "a.LambdaTest$$Lambda/0x0000" + h[1] + "@" + h[2]),
                    "t[a.LambdaTest$$Lambda/0x0000" + h[1] + "@" + h[2] + "]"));
            keysOfEachRun.add(k);
        }
        assertEquals(List.of(
                vintage("org.apache.commons.fileupload.FileUploadTest", "testFileUpload", "org.a.ServletFileUpload@identity-1"),
                vintage("org.apache.commons.fileupload.FileUploadTest", "testFileUpload", "org.a.ServletFileUpload@identity-2"),
                vintage("org.apache.commons.fileupload.OtherTest", "testIt", "org.a.ServletFileUpload@identity-1"),
                vintage("org.apache.commons.fileupload.FileUploadTest", "testOther", "org.a.ServletFileUpload@identity-1"),
                vintage("a.LambdaTest", "t", "a.LambdaTest$$Lambda@identity-1")),
                keysOfEachRun.get(0));
        assertEquals(keysOfEachRun.get(0), keysOfEachRun.get(1));
    }

    @Test
    void textThatIsNoTypeNameBeforeAnAtSignIsLeftAlone() {
        SuiteRunner.Keys keys = new SuiteRunner.Keys();
        String id = "[engine:junit-jupiter]/[class:a.BTest]/[method:m()]";
        String mail = "[engine:junit-vintage]/[runner:a.MailTest]/[test:send%5Buser@example.org%5D(a.MailTest)]";
        assertEquals(mail, keys.of(mail, "send[user@example.org]"));
        String hexDomain = "[engine:junit-vintage]/[runner:a.MailTest]/[test:send%5BAdmin@cafe.org%5D(a.MailTest)]";
        assertEquals(hexDomain, keys.of(hexDomain, "send[Admin@cafe.org]"));
        String notHex = "[engine:junit-vintage]/[runner:a.BTest]/[test:t%5Ba.X@12345678abc%5D(a.BTest)]";
        assertEquals(notHex, keys.of(notHex, "t[a.X@12345678abc]"));
        assertEquals(id, keys.of(id, "m()"));
    }

    @Test
    void anInvocationNamedByAnIdentityHashIsRecordedByTheOrderOfItsArgument(@TempDir Path tmp) throws IOException {
        Path suite = jar(tmp.resolve("tests.jar"), "IdentityNamedArgumentsTest");
        Map<String, String> first = null;
        for (int run = 0; run < 2; run++) {   // new arguments, new identity hashes
            Path results = tmp.resolve("run-" + run + ".results");
            SuiteRunner.onItsOwnThread("run-" + run, List.of(suite), List.of(), results, null);
            Map<String, String> outcomes = results(results);
            assertEquals(3, outcomes.size(), outcomes::toString);
            for (Map.Entry<String, String> e : outcomes.entrySet()) {
                assertEquals(e.getKey().endsWith("$Upload@identity-2]") ? "FAILED" : "SUCCESSFUL", e.getValue(), e.getKey());
            }
            if (first == null) {
                first = outcomes;
            } else {
                assertEquals(first, outcomes);
            }
        }
    }

    private static String vintage(String testClass, String method, String parameter) {
        String p = "%5B" + parameter + "%5D";
        return "[engine:junit-vintage]/[runner:" + testClass + "]/[test:" + p + "]/[test:" + method + p + "(" + testClass + ")]";
    }

    private static String causes(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "no causes: " + e;
        }
    }

    private static Map<String, String> results(Path file) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            int tab = line.indexOf('\t');
            m.put(line.substring(tab + 1), line.substring(0, tab));
        }
        return m;
    }

    /** A jar of one fixture class (its nested classes included), as a release's tests jar. */
    private static Path jar(Path jar, String simpleName) throws IOException {
        Path classes;
        try {
            classes = Path.of(FixtureState.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             var files = Files.list(classes.resolve(FIXTURE))) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (n.equals(simpleName + ".class") || n.startsWith(simpleName + "$")) {
                    out.putNextEntry(new JarEntry(FIXTURE + n));
                    Files.copy(f, out);
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    /** commons-lang3 3.19.0 passes lone surrogates as test arguments: its ids must still be written as UTF-8. */
    @Test
    void testIdsWithUnpairedSurrogatesAreWrittenEscapedAndPairedOnesKept() throws Exception {
        String id = "[method:indexOf(java.lang.CharSequence)]/[arg:a\uD800b\uDC00c\uD83D\uDE00d]";
        String written = SuiteRunner.encodable(id);
        org.junit.jupiter.api.Assertions.assertEquals("[method:indexOf(java.lang.CharSequence)]/[arg:a\\uD800b\\uDC00c\uD83D\uDE00d]", written);
        java.nio.file.Path f = java.nio.file.Files.createTempFile("ids", ".txt");
        try (java.io.Writer w = java.nio.file.Files.newBufferedWriter(f, java.nio.charset.StandardCharsets.UTF_8)) {
            w.write(written);   // throws MalformedInputException for the unescaped id
        } finally {
            java.nio.file.Files.delete(f);
        }
        String plain = id.substring(0, 10);
        org.junit.jupiter.api.Assertions.assertSame(plain, SuiteRunner.encodable(plain), "an id without surrogates is written as it is");
    }
}
