package dev.atlas.corpus;

import java.util.List;

/**
 * What happened to one release pair: the patch build, the live apply, the suites.
 *
 * @param pair the releases
 * @param build {@code atlas patch build}'s outcome, or null if the releases could not be fetched
 * @param apply {@code atlas patch apply}'s outcome, or null if there was nothing to apply
 * @param oldTests the old release's tests in the JVM before the patch (null if not run)
 * @param patchedTests the new release's tests in the same JVM after the patch (null if not run)
 * @param reference the new release's tests on the new jar (null if not run)
 * @param changedClasses classes the patch changes or adds (0 if none was built)
 * @param problem why a step could not run (fetch, start, timeout), or null
 * @param flaky the tests that differed in the first runs and whose outcomes, run again on both
 *              sides, vary from run to run with an outcome seen on both sides: by id, the
 *              outcomes seen ({@code patched JVM: FAILED, SUCCESSFUL; reference: SUCCESSFUL, ..}).
 *              Not counted as differences, and listed in the document.
 * @param history the tests that differ from the fresh reference only by the judge's history: their
 *                outcome on the patched JVM equals the one in the history-matched reference
 *                ({@link HistoryCheck}); by id, both outcomes. Not counted as differences, listed
 *                in the document with their number.
 * @param historyRun null if no history-matched reference ran; else what it ran and saw, or why it
 *                   could not explain anything (the old suite did not run on the new jar)
 */
record PairResult(ReleasePair pair, CliDriver.Build build, CliDriver.Apply apply, SuiteOutcome oldTests,
                  SuiteOutcome patchedTests, SuiteOutcome reference, int changedClasses, String problem,
                  java.util.Map<String, String> flaky, java.util.Map<String, String> history, String historyRun) {

    PairResult {
        flaky = java.util.Map.copyOf(flaky);
        history = java.util.Map.copyOf(history);
    }

    /** A result with no history-matched reference. */
    PairResult(ReleasePair pair, CliDriver.Build build, CliDriver.Apply apply, SuiteOutcome oldTests,
               SuiteOutcome patchedTests, SuiteOutcome reference, int changedClasses, String problem,
               java.util.Map<String, String> flaky) {
        this(pair, build, apply, oldTests, patchedTests, reference, changedClasses, problem, flaky, java.util.Map.of(), null);
    }

    /** A result with no flaky tests. */
    PairResult(ReleasePair pair, CliDriver.Build build, CliDriver.Apply apply, SuiteOutcome oldTests,
               SuiteOutcome patchedTests, SuiteOutcome reference, int changedClasses, String problem) {
        this(pair, build, apply, oldTests, patchedTests, reference, changedClasses, problem, java.util.Map.of());
    }

    /** Built, applied, and the new tests' outcomes on the patched JVM equal the reference's (flaky tests and those explained by history aside). */
    boolean passed() {
        return build != null && build.built() && apply != null && apply.inEffect() && patchedTests != null
                && reference != null && differences().isEmpty();
    }

    /** Applied, yet the new release's tests behave differently than on the new jar. */
    boolean appliedButDifferent() {
        return apply != null && apply.inEffect() && patchedTests != null && reference != null
                && !differences().isEmpty();
    }

    /** Built, and stopped there: steps (2) and (3) were not run for it ({@code --build-only}, {@code --judge}). */
    boolean notJudged() {
        return build != null && build.built() && apply == null && oldTests == null && reference == null && problem == null;
    }

    List<String> differences() {
        return patchedTests == null || reference == null ? List.of() : patchedTests.differencesFrom(reference, notCaused());
    }

    /** The differing tests not counted as differences: the flaky ones and those explained by history. */
    java.util.Set<String> notCaused() {
        java.util.Set<String> out = new java.util.HashSet<>(flaky.keySet());
        out.addAll(history.keySet());
        return out;
    }
}
