package dev.atlas.corpus.child;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atlas.corpus.child.fixture.FixtureState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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
    void enableFixtures() {
        System.setProperty("atlas.corpus.fixture", "true");
    }

    @AfterEach
    void disableFixtures() {
        System.clearProperty("atlas.corpus.fixture");
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
        Map<String, Integer> seen = new HashMap<>();
        String t = "[engine:junit-jupiter]/[class:a.BTest]/[test-template:t(java.util.Locale)]";
        assertEquals(t + "/[test-template-invocation:tr_CY]", SuiteRunner.key(t + "/[test-template-invocation:#395]", "[395] tr_CY", seen));
        assertEquals(t + "/[test-template-invocation:x]", SuiteRunner.key(t + "/[test-template-invocation:#1]", "x", seen));
        assertEquals(t + "/[test-template-invocation:x (2)]", SuiteRunner.key(t + "/[test-template-invocation:#2]", "x", seen));
        assertEquals(t + "/[test-template-invocation:[7]]", SuiteRunner.key(t + "/[test-template-invocation:#3]", "[3] [7]", seen));
        assertEquals(t + "/[test-template-invocation:a b]", SuiteRunner.key(t + "/[test-template-invocation:#4]", "[4] a\tb", seen));
        String method = "[engine:junit-jupiter]/[class:a.BTest]/[method:m()]";
        assertEquals(method, SuiteRunner.key(method, "m()", seen));
        String dynamic = "[engine:junit-jupiter]/[class:a.BTest]/[test-factory:f()]/[dynamic-test:#1]";
        assertEquals(dynamic, SuiteRunner.key(dynamic, "[1] d", seen));
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
}
