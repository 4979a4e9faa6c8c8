package dev.atlas.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atlas.corpus.child.SuiteRunner;
import dev.atlas.corpus.child.fixture.FixtureState;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM of the corpus, started and driven as the harness does, on fixture suites (this
 * module's {@code fixture} test classes, enabled in the child by {@code atlas.corpus.fixture}).
 */
class ChildJvmIT {
    private static final String FIXTURE = "dev/atlas/corpus/child/fixture/";

    @Test
    void aSuiteThatClosesStandardOutputAndInputDoesNotEndTheHarnesssChannel(@TempDir Path tmp) throws Exception {
        Path closes = jar(tmp.resolve("closes-tests.jar"), "ClosesStandardStreamsTest");
        Path after = jar(tmp.resolve("after-tests.jar"), "FindsNoThreadLocalTest");
        try (ChildJvm child = ChildJvm.start(tmp.resolve("child"), List.of("-Datlas.corpus.fixture=true"),
                classesOf(SuiteRunner.class), harnessClassPath(), Duration.ofMinutes(2))) {
            SuiteOutcome first = child.run("closes", List.of(closes), List.of(), Duration.ofMinutes(2));
            assertEquals(Map.of("[engine:junit-jupiter]/[class:dev.atlas.corpus.child.fixture.ClosesStandardStreamsTest]/[method:closesThem()]",
                    "SUCCESSFUL"), first.outcomes());
            SuiteOutcome second = child.run("after", List.of(after), List.of(), Duration.ofMinutes(2));
            assertEquals(2, second.count("SUCCESSFUL"), second::summary);
        }
    }

    /**
     * The history check on real child JVMs: a test that fails after the old suite in the "patched"
     * JVM and in the history-matched reference alike is explained by history; a test that fails
     * only in the "patched" JVM stays a difference.
     */
    @Test
    void aTestFailingBecauseOfTheOldSuitesStaticStateIsExplainedByHistoryAndAPatchDifferenceIsNot(@TempDir Path tmp)
            throws Exception {
        Path oldTests = jar(tmp.resolve("old-tests.jar"), "OldSuiteTest");
        Path newTests = jar(tmp.resolve("new-tests.jar"), "NewSuiteTest");
        String cls = "[engine:junit-jupiter]/[class:dev.atlas.corpus.child.fixture.NewSuiteTest]";
        String byHistory = cls + "/[method:noInstanceByDefault()]";
        String byPatch = cls + "/[method:behavesLikeTheNewRelease()]";
        SuiteOutcome oldInPatched;
        SuiteOutcome patched;
        try (ChildJvm child = fixtureJvm(tmp.resolve("patched"), "-D" + FixtureState.BROKEN_BY_PATCH + "=true")) {
            oldInPatched = child.run("old-tests", List.of(oldTests), List.of(), Duration.ofMinutes(2));
            patched = child.run("new-tests", List.of(newTests), List.of(), Duration.ofMinutes(2));
        }
        SuiteOutcome reference;
        try (ChildJvm child = fixtureJvm(tmp.resolve("reference"))) {
            reference = child.run("new-tests", List.of(newTests), List.of(), Duration.ofMinutes(2));
        }
        List<String> ids = patched.differingIds(reference);
        assertEquals(List.of(byPatch, byHistory), ids);
        SuiteOutcome oldOnNewJar;
        SuiteOutcome newAfterOld;
        try (ChildJvm child = fixtureJvm(tmp.resolve("history-reference"))) {
            oldOnNewJar = child.run("old-tests", List.of(oldTests), List.of(), Duration.ofMinutes(2));
            newAfterOld = child.run("new-tests", List.of(newTests), List.of(), Duration.ofMinutes(2), PairRunner.classesOf(ids));
        }
        HistoryCheck.Result r = HistoryCheck.classify(ids, patched, oldInPatched, oldOnNewJar, newAfterOld);
        assertEquals(Map.of(byHistory, "patched JVM: FAILED; history-matched reference: FAILED"), r.explained());
        assertEquals("old tests on the new jar: 1 passed; then the new tests' differing classes: 1 passed, 1 failed", r.run());
        assertEquals(List.of(byPatch + ": FAILED (reference: SUCCESSFUL)"), patched.differencesFrom(reference, r.explained().keySet()));
    }

    private static ChildJvm fixtureJvm(Path dir, String... extraArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("-Datlas.corpus.fixture=true"));
        args.addAll(List.of(extraArgs));
        return ChildJvm.start(dir, args, classesOf(SuiteRunner.class), harnessClassPath(), Duration.ofMinutes(2));
    }

    /** The test JVM's own class path but this module's classes (the runner's are given apart, the fixtures come in jars). */
    private static List<Path> harnessClassPath() throws Exception {
        Path main = classesOf(SuiteRunner.class);
        Path tests = classesOf(ChildJvmIT.class);
        List<Path> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e).toAbsolutePath().normalize();
            if (!e.isEmpty() && !p.equals(main) && !p.equals(tests)) {
                cp.add(p);
            }
        }
        cp.add(tests);   // FixtureState, shared by the fixtures (they load their own classes first)
        return cp;
    }

    private static Path classesOf(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
    }

    /** A jar of one fixture class (its nested classes included), as a release's tests jar. */
    private static Path jar(Path jar, String simpleName) throws Exception {
        Path classes = classesOf(FixtureState.class);
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
        } catch (IOException e) {
            throw new IOException("cannot write " + jar + ": " + e.getMessage(), e);
        }
        return jar;
    }
}
