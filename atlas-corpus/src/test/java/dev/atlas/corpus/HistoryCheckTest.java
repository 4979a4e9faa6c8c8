package dev.atlas.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryCheckTest {
    private static final String JNDI = "[engine:junit-jupiter]/[class:a.JndiManagerTest]/[method:testNoInstanceByDefault()]";
    private static final String PATCH = "[engine:junit-jupiter]/[class:a.CtorTest]/[method:added()]";
    private static final String GONE = "[engine:junit-jupiter]/[class:a.GoneTest]/[method:x()]";
    private static final String OLD = "[engine:junit-jupiter]/[class:a.JndiLookupTest]/[method:lookup()]";

    private static SuiteOutcome outcome(Map<String, String> m) {
        return new SuiteOutcome(m, 1);
    }

    @Test
    void aDifferenceWithTheSameOutcomeAfterTheOldSuiteOnTheNewJarIsExplainedByHistoryOthersStay() {
        SuiteOutcome patched = outcome(Map.of(JNDI, "FAILED", PATCH, "FAILED"));
        SuiteOutcome reference = outcome(Map.of(JNDI, "SUCCESSFUL", PATCH, "SUCCESSFUL", GONE, "SUCCESSFUL"));
        SuiteOutcome old = outcome(Map.of(OLD, "SUCCESSFUL"));
        // GONE did not run in the patched JVM nor after the old suite: "absent" on both is no defined outcome
        List<String> ids = patched.differingIds(reference);
        assertEquals(List.of(PATCH, GONE, JNDI), ids);
        HistoryCheck.Result r = HistoryCheck.classify(ids, patched, old, old,
                outcome(Map.of(JNDI, "FAILED", PATCH, "SUCCESSFUL")));
        assertEquals(Map.of(JNDI, "patched JVM: FAILED; history-matched reference: FAILED"), r.explained());
        assertEquals("old tests on the new jar: 1 passed; then the new tests' differing classes: 1 passed, 1 failed", r.run());

        ReleasePair pair = new ReleasePair("g", "lib", "1", "2", "p", List.of(), false);
        CliDriver.Build built = new CliDriver.Build(true, List.of(), List.of(), "Changed classes (1):\n", 1000, "");
        CliDriver.Apply applied = new CliDriver.Apply(0, "ok", Map.of(), "", 10);
        PairResult result = new PairResult(pair, built, applied, old, patched, reference, 1, null, Map.of(), r.explained(), r.run());
        assertEquals(List.of(PATCH + ": FAILED (reference: SUCCESSFUL)", GONE + ": absent (reference: SUCCESSFUL)"),
                result.differences());
        assertFalse(result.passed(), "the differences not explained by history stay differences");
    }

    @Test
    void aPairWhoseOnlyDifferencesAreExplainedByHistoryPassesAndTheDocumentSaysHowMany() {
        SuiteOutcome patched = outcome(Map.of(JNDI, "FAILED", PATCH, "SUCCESSFUL"));
        SuiteOutcome reference = outcome(Map.of(JNDI, "SUCCESSFUL", PATCH, "SUCCESSFUL"));
        SuiteOutcome old = outcome(Map.of(OLD, "SUCCESSFUL"));
        HistoryCheck.Result r = HistoryCheck.classify(patched.differingIds(reference), patched, old, old,
                outcome(Map.of(JNDI, "FAILED")));
        ReleasePair pair = new ReleasePair("g", "lib", "1", "2", "p", List.of(), false);
        CliDriver.Build built = new CliDriver.Build(true, List.of(), List.of(), "Changed classes (1):\n", 1000, "");
        CliDriver.Apply applied = new CliDriver.Apply(0, "ok", Map.of(), "", 10);
        PairResult result = new PairResult(pair, built, applied, old, patched, reference, 1, null, Map.of(), r.explained(), r.run());
        assertTrue(result.passed());
        String doc = CorpusReport.render(List.of(result), "./atlas corpus", "test");
        assertTrue(doc.contains("| **pass** (1 explained by history) |"), doc);
        assertTrue(doc.contains("; 1 test(s) differing only by the judge's history, listed below."), doc);
        assertTrue(doc.contains("## Differences only by the judge's history"), doc);
        assertTrue(doc.contains("- lib 1 -> 2: 1 test(s) explained by history; old tests on the new jar: 1 passed; then the new "
                + "tests' differing classes: 0 passed, 1 failed\n  - " + JNDI + ": patched JVM: FAILED; history-matched "
                + "reference: FAILED\n"), doc);
    }

    @Test
    void anOldSuiteThatDoesNotRunOnTheNewJarExplainsNothing() {
        SuiteOutcome patched = outcome(Map.of(JNDI, "FAILED"));
        SuiteOutcome reference = outcome(Map.of(JNDI, "SUCCESSFUL"));
        SuiteOutcome oldInPatched = outcome(Map.of(OLD, "SUCCESSFUL"));
        SuiteOutcome notLoaded = outcome(Map.of("[class:a.JndiLookupTest]", "CONTAINER_FAILED"));
        HistoryCheck.Result r = HistoryCheck.classify(List.of(JNDI), patched, oldInPatched, notLoaded,
                outcome(Map.of(JNDI, "FAILED")));
        assertEquals(Map.of(), r.explained());
        assertEquals("the old release's suite did not run on the new jar (0 passed, 1 class(es) failed; in the patched JVM: "
                + "1 passed), so it explains no difference", r.run());
        SuiteOutcome runFailed = outcome(Map.of(OLD, "SUCCESSFUL", "[run]", "RUN_FAILED: NoClassDefFoundError"));
        assertEquals(Map.of(), HistoryCheck.classify(List.of(JNDI), patched, oldInPatched, runFailed,
                outcome(Map.of(JNDI, "FAILED"))).explained());
        // an old suite whose own outcomes differ on the new jar: said in the description
        SuiteOutcome oldFailsOnNewJar = outcome(Map.of(OLD, "FAILED"));
        HistoryCheck.Result partial = HistoryCheck.classify(List.of(JNDI), patched, oldInPatched, oldFailsOnNewJar,
                outcome(Map.of(JNDI, "SUCCESSFUL")));
        assertEquals(Map.of(), partial.explained());
        assertEquals("old tests on the new jar: 0 passed, 1 failed (1 outcome(s) unlike the patched JVM's before the apply); "
                + "then the new tests' differing classes: 1 passed", partial.run());
        // a different outcome after the old suite explains nothing either
        assertEquals(Map.of(), HistoryCheck.classify(List.of(JNDI), patched, oldInPatched, oldInPatched,
                outcome(Map.of(JNDI, "ABORTED"))).explained());
    }
}
