package dev.atlas.corpus;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which differing tests differ from the fresh reference only by the judge's history. The
 * patched JVM runs the old release's suite before the apply and the new suite after it; the
 * reference runs only the new suite. A test can fail after the old suite for reasons that have
 * nothing to do with the patch (log4j-core 2.17.0's {@code JndiLookupTest} leaves the default
 * {@code JndiManager} in a static map, which 2.17.1's {@code JndiManagerTest} then finds). The
 * history-matched reference is a JVM on the new jar, without the agent, that runs the old suite
 * first and then the differing tests' classes of the new suite: a differing test whose outcome
 * on the patched JVM equals its outcome there, both a defined outcome (it ran in both), is
 * explained by history.
 *
 * <p>The old suite runs on the new jar here, on the old one in the patched JVM: where its own
 * outcomes differ between the two (a test of the old release that the new one's behaviour
 * fails), the history is not quite the patched JVM's, and what it left may differ; the run's
 * description says in how many of the old suite's outcomes.
 *
 * <p>Nothing is explained when the old suite could not run on the new jar: no test of it
 * gave an outcome, or the run failed as a whole, while in the patched JVM it did run. The
 * history is then not the patched JVM's, and the differences stay differences.
 *
 * <p>Threading: stateless; the methods are pure functions of their arguments.
 */
final class HistoryCheck {
    private HistoryCheck() {
    }

    /**
     * The classification of the differing tests.
     *
     * @param explained by id, {@code patched JVM: X; history-matched reference: X}, for the tests explained by history
     * @param run what the history-matched reference ran and saw, or why it explains nothing
     */
    record Result(Map<String, String> explained, String run) {
        Result {
            explained = java.util.Collections.unmodifiableMap(new TreeMap<>(explained));
        }
    }

    /**
     * Classifies {@code ids} (tests that differ between the patched JVM and the fresh reference,
     * flaky tests already left out).
     *
     * @param oldInPatched the old suite's outcome in the patched JVM (before the apply)
     * @param oldOnNewJar the old suite's outcome in the history-matched reference
     * @param newAfterOld the differing tests' classes of the new suite in the history-matched reference, after the old suite
     */
    static Result classify(List<String> ids, SuiteOutcome patched, SuiteOutcome oldInPatched, SuiteOutcome oldOnNewJar,
                           SuiteOutcome newAfterOld) {
        int unlike = oldOnNewJar.differingIds(oldInPatched).size();
        String ran = "old tests on the new jar: " + oldOnNewJar.summary()
                + (unlike == 0 ? "" : " (" + unlike + " outcome(s) unlike the patched JVM's before the apply)")
                + "; then the new tests' differing classes: " + newAfterOld.summary();
        boolean failedAsAWhole = oldOnNewJar.outcomes().values().stream().anyMatch(o -> o.startsWith("RUN_FAILED"));
        if ((oldOnNewJar.tests() == 0 && oldInPatched.tests() > 0) || failedAsAWhole) {
            return new Result(Map.of(), "the old release's suite did not run on the new jar (" + oldOnNewJar.summary()
                    + "; in the patched JVM: " + oldInPatched.summary() + "), so it explains no difference");
        }
        Map<String, String> explained = new TreeMap<>();
        for (String id : ids) {
            String p = patched.outcome(id);
            String h = newAfterOld.outcome(id);
            if (!p.equals("absent") && p.equals(h)) {
                explained.put(id, "patched JVM: " + p + "; history-matched reference: " + h);
            }
        }
        return new Result(explained, ran);
    }
}
