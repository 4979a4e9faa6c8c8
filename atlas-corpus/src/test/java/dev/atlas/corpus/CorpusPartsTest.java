package dev.atlas.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The harness's pieces that need no network or child JVM. */
class CorpusPartsTest {
    private static final String REPO = "/r/";

    @Test
    void theShippedCorpusMeetsTheIssuesShape() throws Exception {
        List<ReleasePair> pairs = ReleasePair.corpus();
        Set<String> libraries = new HashSet<>();
        long cves = 0;
        for (ReleasePair p : pairs) {
            libraries.add(p.artifact());
            cves += p.cves().isEmpty() ? 0 : 1;
            assertTrue(p.cves().stream().allMatch(c -> c.matches("CVE-\\d{4}-\\d{4,}")), p::id);
        }
        assertTrue(pairs.size() >= 24, () -> pairs.size() + " pairs");
        assertTrue(libraries.size() >= 6, libraries::toString);
        long securityFixes = cves;
        assertTrue(securityFixes >= 5, () -> securityFixes + " security-fix pairs");
        assertTrue(pairs.stream().anyMatch(ReleasePair::fast));
    }

    @Test
    void theAgentInstrumentsEachPackageTreeOfAPairAndNoOther() throws Exception {
        assertEquals("-javaagent:/a.jar=include=org.apache.commons.text.**,boundary=none",
                ChildJvm.agentArgument(Path.of("/a.jar"), "org.apache.commons.text"));
        ReleasePair httpclient = ReleasePair.corpus().stream().filter(p -> p.artifact().equals("httpclient")).findFirst().orElseThrow();
        String arg = ChildJvm.agentArgument(Path.of("/a.jar"), httpclient.patchedPackage());
        assertTrue(arg.contains("include=org.apache.http.auth.**;org.apache.http.client.**;"), arg);
        assertFalse(arg.contains("org.apache.http.**"), "not httpcore's trees (its test servers' listener loops): " + arg);
    }

    @Test
    void aMalformedCorpusLineIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReleasePair.parse(List.of("# c", "g a 1 2 p - fast", "g a 1 2 p")));
        assertTrue(e.getMessage().contains("corpus line 3: expected 7 columns"), e::getMessage);
    }

    @Test
    void junitPiecesAreAddedAtThePlatformVersionTheReleaseUses() {
        String jupiterOnly = ReleaseResolver.junitExtras(List.of(jar("org/junit/jupiter/junit-jupiter-api/5.7.1/junit-jupiter-api-5.7.1.jar"),
                jar("org/junit/platform/junit-platform-commons/1.7.1/junit-platform-commons-1.7.1.jar")));
        assertTrue(jupiterOnly.contains("<artifactId>junit-platform-launcher</artifactId><version>1.7.1</version>"), jupiterOnly);
        assertTrue(jupiterOnly.contains("<artifactId>junit-jupiter-engine</artifactId><version>5.7.1</version>"), jupiterOnly);
        assertFalse(jupiterOnly.contains("vintage"), jupiterOnly);
        String milestone = ReleaseResolver.junitExtras(List.of(
                jar("org/junit/platform/junit-platform-engine/1.11.0-M2/junit-platform-engine-1.11.0-M2.jar")));
        assertTrue(milestone.contains("<artifactId>junit-platform-launcher</artifactId><version>1.11.0-M2</version>"), milestone);
        String junit3 = ReleaseResolver.junitExtras(List.of(jar("junit/junit/3.8.1/junit-3.8.1.jar")));
        assertTrue(junit3.contains("<artifactId>junit-vintage-engine</artifactId><version>5" + ReleaseResolver.DEFAULT_PLATFORM.substring(1)),
                junit3);
        assertTrue(junit3.contains("<artifactId>junit</artifactId><version>4.13.2</version>"), junit3);
        String complete = ReleaseResolver.junitExtras(List.of(jar("junit/junit/4.13.2/junit-4.13.2.jar"),
                jar("org/junit/platform/junit-platform-launcher/1.9.1/junit-platform-launcher-1.9.1.jar"),
                jar("org/junit/vintage/junit-vintage-engine/5.9.1/junit-vintage-engine-5.9.1.jar")));
        assertEquals("", complete);
    }

    @Test
    void archivesTheReleaseBuildUnpacksAreLeftOutOfItsTestClassPath() {
        String pom = "<project><dependencies>"
                + "<dependency><groupId>g</groupId><artifactId>lib</artifactId><version>1</version></dependency>"
                + "<dependency>\n  <groupId>g</groupId><artifactId>core-java9</artifactId>\n  <scope>provided</scope>\n"
                + "  <type>zip</type>\n</dependency>"
                + "<dependency><groupId>g</groupId><artifactId>other</artifactId><type>test-jar</type></dependency>"
                + "</dependencies><build><artifactItem><artifactId>core-java9</artifactId><type>zip</type></artifactItem></build></project>";
        assertEquals("<project><dependencies>"
                + "<dependency><groupId>g</groupId><artifactId>lib</artifactId><version>1</version></dependency>"
                + "<dependency><groupId>g</groupId><artifactId>other</artifactId><type>test-jar</type></dependency>"
                + "</dependencies><build><artifactItem><artifactId>core-java9</artifactId><type>zip</type></artifactItem></build></project>",
                ReleaseResolver.withoutArchiveDependencies(pom));
    }

    @Test
    void theJudgingSuitesExtraJarsAreThoseWhoseArtifactTheOldReleaseLacks() {
        ReleaseClasspath old = new ReleaseClasspath(jar("g/a/1/a-1.jar"), jar("g/a/1/a-1-tests.jar"),
                List.of(jar("x/lib/1.0/lib-1.0.jar")));
        ReleaseClasspath next = new ReleaseClasspath(jar("g/a/2/a-2.jar"), jar("g/a/2/a-2-tests.jar"),
                List.of(jar("x/lib/1.1/lib-1.1.jar"), jar("y/other/3/other-3.jar")));
        assertEquals(List.of(jar("y/other/3/other-3.jar")), next.missingFrom(old));
    }

    @Test
    void outcomesAreComparedTestByTest() {
        SuiteOutcome reference = new SuiteOutcome(Map.of("t1", "SUCCESSFUL", "t2", "FAILED", "t3", "SUCCESSFUL"), 1);
        SuiteOutcome same = new SuiteOutcome(Map.of("t1", "SUCCESSFUL", "t2", "FAILED", "t3", "SUCCESSFUL"), 2);
        SuiteOutcome other = new SuiteOutcome(Map.of("t1", "SUCCESSFUL", "t2", "SUCCESSFUL"), 2);
        assertEquals(List.of(), same.differencesFrom(reference));
        assertEquals(List.of("t2: SUCCESSFUL (reference: FAILED)", "t3: absent (reference: SUCCESSFUL)"),
                other.differencesFrom(reference));
        assertEquals("2 passed, 1 failed", reference.summary());
    }

    @Test
    void aBuiltPairThatWasNotJudgedIsReportedAsSuchNotAsAFailure() {
        ReleasePair pair = new ReleasePair("g", "lib", "1", "2", "p", List.of(), false);
        CliDriver.Build built = new CliDriver.Build(true, List.of(), List.of(), "Changed classes (1):\n", 1000, "");
        PairResult unjudged = new PairResult(pair, built, null, null, null, null, 1, null);
        assertTrue(unjudged.notJudged());
        assertFalse(unjudged.passed());
        String doc = CorpusReport.render(List.of(unjudged), "./atlas corpus --judge x", "test");
        assertTrue(doc.contains("built 1 (1 of them not judged: built only, steps 2 and 3 not run)"), doc);
        assertTrue(doc.contains("| not judged |"), doc);
        assertTrue(doc.contains("Built, not judged (steps 2 and 3 not run, so no verdict): lib 1 -> 2."), doc);
        assertFalse(doc.contains("Every pair passed"), doc);
        String partial = CorpusReport.render(List.of(unjudged), "./atlas corpus", "test",
                List.of(new ReleasePair("g", "lib", "2", "3", "p", List.of(), false)));
        assertTrue(partial.contains("This run stopped before its last 1 pair(s), which are not in the table or the figures "
                + "above unless an earlier run recorded them: lib 2 -> 3."), partial);
        PairResult failed = new PairResult(pair, built, null, null, null, null, 1, "reference run: timed out");
        assertFalse(failed.notJudged());
    }

    @Test
    void changedClassesAreCountedFromTheBuildersDescription() {
        assertEquals(5, PairRunner.countChanged("Patch x (format 1)\nChanged classes (3):\n  a.B\nAdded classes (2):\n  a.C\n"));
        assertEquals(0, PairRunner.countChanged("No changes.\n"));
    }

    @Test
    void refusalsAreGroupedByKind() {
        assertEquals("constructor changed", CorpusReport.kind(
                "org/a/B <init>(I)V: constructor changed (only initialisers of new fields may be added)"));
        assertEquals("enum constants changed", CorpusReport.kind("org/a/E: enum constants changed from [A] to [A, B]"));
        assertEquals("static initialiser changed", CorpusReport.kind("org/a/B <clinit>: static initialiser changed; declare ..."));
    }

    @Test
    void aChildsLogKeepsItsHeadAndTailWithinTheCap(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("child.err");
        try (CappedLog log = new CappedLog(file, 10, 6)) {
            log.write("0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            for (int i = 0; i < 100_000; i++) {
                log.write("status line\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            log.write("FATAL!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        String text = java.nio.file.Files.readString(file);
        assertTrue(text.startsWith("0123456789\n[atlas-corpus: 1200000 bytes left out here (1200016 in all; the first 10 "
                + "and the last 6 are kept) in child.err]\n"), text);
        assertTrue(text.endsWith("FATAL!"), text);
        assertTrue(text.length() < 200, () -> text.length() + " chars");
        Path small = tmp.resolve("small.log");
        try (CappedLog log = new CappedLog(small, 10, 6)) {
            log.write("0123456789abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        assertEquals("0123456789abc", java.nio.file.Files.readString(small), "nothing left out: no gap line");
    }

    @Test
    void eachSuiteStartsInAnEmptyWorkingDirectoryWithTheLastOnesFilesKeptAside(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path work = tmp.resolve("work");
        java.nio.file.Files.createDirectories(work.resolve("target/IO276"));
        java.nio.file.Files.writeString(work.resolve("target/IO276/IO276.txt"), "left by the old suite");
        ChildJvm.emptyDirectory(work, tmp.resolve("old-tests.leftovers"));
        try (var left = java.nio.file.Files.list(work)) {
            assertEquals(0, left.count(), "the next suite finds nothing");
        }
        assertEquals("left by the old suite",
                java.nio.file.Files.readString(tmp.resolve("old-tests.leftovers/target/IO276/IO276.txt")));
        java.nio.file.Files.writeString(work.resolve("x"), "x");
        ChildJvm.emptyDirectory(work, null);
        try (var left = java.nio.file.Files.list(work)) {
            assertEquals(0, left.count(), "a new JVM starts in an empty directory");
        }
    }

    @Test
    void aSuitesTestResourcesAreLaidOutAsItsBuildHadThemWithoutItsClasses(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path jar = tmp.resolve("lib-1-tests.jar");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar))) {
            for (String[] e : new String[][] {{"org/x/FooTest.class", "classbytes"}, {"org/x/", null},
                    {"test.properties", "a=1"}, {"archives/bla.zip", "zip"}, {"META-INF/services/x.Y", "x.Z"}}) {
                out.putNextEntry(new java.util.jar.JarEntry(e[0]));
                if (e[1] != null) {
                    out.write(e[1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                out.closeEntry();
            }
        }
        Path work = tmp.resolve("work");
        assertEquals(2, SuiteLayout.layOut(work, List.of(jar)));
        for (Path dir : List.of(work.resolve("target/test-classes"), work.resolve("src/test/resources"))) {
            assertEquals("a=1", java.nio.file.Files.readString(dir.resolve("test.properties")));
            assertEquals("zip", java.nio.file.Files.readString(dir.resolve("archives/bla.zip")));
            assertFalse(java.nio.file.Files.exists(dir.resolve("org/x/FooTest.class")), "no class: the directory is on a shared class path");
            assertFalse(java.nio.file.Files.exists(dir.resolve("META-INF")), "the jar on the class path has those");
        }
        assertEquals(work.resolve("target/test-classes"), SuiteLayout.testClasses(work));
    }

    @Test
    void aTestsJarEntryOutsideTheDirectoryIsRefusedAndNotWritten(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path jar = tmp.resolve("evil-tests.jar");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("../../../escaped.txt"));
            out.write(1);
            out.closeEntry();
        }
        Path work = tmp.resolve("a/b/work");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> SuiteLayout.layOut(work, List.of(jar)));
        assertTrue(e.getMessage().contains("'../../../escaped.txt' points outside"), e::getMessage);
        assertFalse(java.nio.file.Files.exists(tmp.resolve("a/b/escaped.txt")));
    }

    @Test
    void aTestWhoseOutcomeVariesOnRerunsIsReportedFlakyNotAsADifference() {
        String timing = "[engine:junit-jupiter]/[class:a.ThrottleTest]/[method:rate()]";
        String broken = "[engine:junit-jupiter]/[class:a.CtorTest]/[nested-class:Inner]/[method:added()]";
        String fine = "[engine:junit-jupiter]/[class:a.OtherTest]/[method:x()]";
        SuiteOutcome patched = new SuiteOutcome(Map.of(timing, "FAILED", broken, "FAILED", fine, "SUCCESSFUL"), 1);
        SuiteOutcome reference = new SuiteOutcome(Map.of(timing, "SUCCESSFUL", broken, "SUCCESSFUL", fine, "SUCCESSFUL"), 1);
        assertEquals("\\Qa.CtorTest\\E|\\Qa.ThrottleTest\\E", PairRunner.classesOf(patched.differingIds(reference)));
        List<SuiteOutcome> patchedRuns = List.of(patched,
                new SuiteOutcome(Map.of(timing, "SUCCESSFUL", broken, "FAILED"), 1),
                new SuiteOutcome(Map.of(timing, "FAILED", broken, "FAILED"), 1));
        List<SuiteOutcome> referenceRuns = List.of(reference,
                new SuiteOutcome(Map.of(timing, "FAILED", broken, "SUCCESSFUL"), 1),
                new SuiteOutcome(Map.of(timing, "SUCCESSFUL", broken, "SUCCESSFUL"), 1));
        Map<String, String> flaky = PairRunner.flaky(patched.differingIds(reference), patchedRuns, referenceRuns);
        assertEquals(Map.of(timing, "patched JVM: FAILED, SUCCESSFUL, FAILED; reference: SUCCESSFUL, FAILED, SUCCESSFUL"), flaky);
        // an id that only the reference's first run named (commons-compress's invocations named by a path in its directory)
        String ownDirectory = "[engine:junit-jupiter]/[class:a.PathTest]/[test-template:t(java.io.File)]/[test-template-invocation:/r/work/x]";
        assertEquals(Map.of(), PairRunner.flaky(List.of(ownDirectory),
                List.of(patched, patched, patched),
                List.of(new SuiteOutcome(Map.of(ownDirectory, "SUCCESSFUL"), 1), new SuiteOutcome(Map.of(), 1), new SuiteOutcome(Map.of(), 1))));

        ReleasePair pair = new ReleasePair("g", "lib", "1", "2", "p", List.of(), false);
        CliDriver.Build built = new CliDriver.Build(true, List.of(), List.of(), "Changed classes (1):\n", 1000, "");
        CliDriver.Apply applied = new CliDriver.Apply(0, "ok", Map.of(), "", 10);
        PairResult different = new PairResult(pair, built, applied, patched, patched, reference, 1, null, flaky);
        assertFalse(different.passed(), "the consistent difference stays one");
        assertEquals(List.of(broken + ": FAILED (reference: SUCCESSFUL)"), different.differences());
        SuiteOutcome onlyTiming = new SuiteOutcome(Map.of(timing, "FAILED", broken, "SUCCESSFUL", fine, "SUCCESSFUL"), 1);
        PairResult passed = new PairResult(pair, built, applied, patched, onlyTiming, reference, 1, null, flaky);
        assertTrue(passed.passed());
        String doc = CorpusReport.render(List.of(passed), "./atlas corpus", "test");
        assertTrue(doc.contains("| **pass** (1 flaky) |"), doc);
        assertTrue(doc.contains("1 flaky test(s), listed below"), doc);
        assertTrue(doc.contains("- lib 1 -> 2: " + timing + ": patched JVM: FAILED, SUCCESSFUL, FAILED; reference: "
                + "SUCCESSFUL, FAILED, SUCCESSFUL"), doc);
    }

    private static Path jar(String relative) {
        return Path.of(REPO + relative);
    }
}
