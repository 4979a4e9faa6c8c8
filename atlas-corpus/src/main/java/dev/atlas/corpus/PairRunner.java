package dev.atlas.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Runs one release pair through the three steps of the corpus: (1) {@code atlas patch build}
 * from the two released jars; (2) a JVM on the old release with the agent runs the old
 * release's tests, gets the patch live through {@code atlas patch apply}, then runs the new
 * release's tests; (3) a JVM on the new release runs the new release's tests (the reference).
 * Each suite starts in a working directory holding only its own test resources ({@link ChildJvm},
 * {@link SuiteLayout}). When some tests'
 * outcomes differ, their classes run {@value #RERUNS} times more on each side (in the patched
 * JVM, and in fresh reference JVMs), and a test whose outcome varies from run to run with an
 * outcome common to both sides is reported as flaky ({@link #flaky}) instead of as a
 * difference. The differences that remain are then checked against a history-matched
 * reference ({@link HistoryCheck}): a JVM on the new jar, without the agent, with the patched
 * JVM's class path arrangement, that runs the old release's suite and then the remaining
 * differing tests' classes; a test whose outcome there equals the patched JVM's is listed as
 * differing only by the judge's history, not as a difference.
 *
 * <p>Threading: one harness thread; the child JVMs run one at a time (the machines are small).
 */
final class PairRunner {
    private final ReleaseResolver resolver;
    private final CliDriver cli;
    private final Path runnerClasses;
    private final Path work;
    private final Duration suiteTimeout;

    private final List<String> childArgs;
    private final Predicate<ReleasePair> judged;

    /**
     * @param testFilter null, or a regular expression every test class run (old, new and
     *                   reference suites alike) must match: a subset of each suite
     * @param judged     the pairs that go on to steps (2) and (3); the others stop after step (1)
     */
    PairRunner(ReleaseResolver resolver, CliDriver cli, Path runnerClasses, Path work, Duration suiteTimeout,
               String testFilter, Predicate<ReleasePair> judged) {
        this.judged = judged;
        this.childArgs = testFilter == null ? List.of()
                : List.of("-D" + dev.atlas.corpus.child.SuiteRunner.TESTS_PROPERTY + "=" + testFilter);
        this.resolver = resolver;
        this.cli = cli;
        this.runnerClasses = runnerClasses;
        this.work = work;
        this.suiteTimeout = suiteTimeout;
    }

    PairResult run(ReleasePair pair) throws InterruptedException {
        Path dir = work.resolve(pair.slug());
        ReleaseClasspath oldRelease;
        ReleaseClasspath newRelease;
        CliDriver.Build build;
        Path patch = dir.resolve("patch.atlaspatch");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(patch);
            oldRelease = resolver.resolve(pair.group(), pair.artifact(), pair.oldVersion());
            newRelease = resolver.resolve(pair.group(), pair.artifact(), pair.newVersion());
            build = cli.build(oldRelease.jar(), newRelease.jar(), newRelease.testPath(), patch, dir.resolve("build.log"));
        } catch (IOException e) {
            return new PairResult(pair, null, null, null, null, null, 0, "could not fetch or build: " + e.getMessage());
        }
        int changed = countChanged(build.changes());
        if (!build.built() || !judged.test(pair)) {   // nothing to judge: the reference run is skipped (it takes minutes)
            return new PairResult(pair, build, null, null, null, null, changed, null);
        }
        SuiteOutcome reference = null;
        String problem = null;
        try {
            reference = reference(newRelease, dir.resolve("reference"));
        } catch (IOException e) {
            problem = "reference run: " + e.getMessage();
        }
        CliDriver.Apply apply = null;
        SuiteOutcome oldTests = null;
        SuiteOutcome patched = null;
        Path live = dir.resolve("patched");
        List<String> jvmArgs = new ArrayList<>(List.of(ChildJvm.agentArgument(cli.agentJar(), pair.patchedPackage()),
                "-XX:+EnableDynamicAgentLoading", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"));
        jvmArgs.addAll(childArgs);
        List<Path> cp = new ArrayList<>();
        cp.add(oldRelease.jar());
        // the judging suite with the libraries it was built for, as in the reference run: where the two
        // releases' tests use other versions of one library (assertj, commons-io), the new one's
        cp.addAll(newRelease.testPath());
        cp.add(newRelease.tests());                      // beside the library (package access)
        cp.addAll(oldRelease.missingFrom(newRelease));   // and what the old release's tests need that the new ones do not
        List<SuiteOutcome> patchedRuns = new ArrayList<>();
        List<SuiteOutcome> referenceRuns = new ArrayList<>();
        String again = null;   // the classes of the tests that differ, run again on both sides
        try (ChildJvm child = ChildJvm.start(live, jvmArgs, runnerClasses, cp, Duration.ofMinutes(2))) {
            oldTests = child.run("old-tests", List.of(oldRelease.tests()), List.of(), suiteTimeout);
            apply = cli.apply(child.pid(), patch, live.resolve("apply.log"));
            if (apply.inEffect()) {
                patched = child.run("new-tests", List.of(newRelease.tests()), List.of(), suiteTimeout);
                again = reference == null ? null : classesOf(patched.differingIds(reference));
                for (int i = 1; again != null && i <= RERUNS; i++) {
                    patchedRuns.add(child.run("new-tests-again-" + i, List.of(newRelease.tests()), List.of(), suiteTimeout, again));
                }
            }
        } catch (IOException e) {
            problem = (problem == null ? "" : problem + "; ") + "patched JVM: " + e.getMessage();
        }
        Map<String, String> flaky = Map.of();
        if (again != null && patchedRuns.size() == RERUNS) {
            try {
                for (int i = 1; i <= RERUNS; i++) {
                    referenceRuns.add(reference(newRelease, dir.resolve("reference-again-" + i), again));
                }
                List<SuiteOutcome> p = new ArrayList<>(List.of(patched));
                p.addAll(patchedRuns);
                List<SuiteOutcome> r = new ArrayList<>(List.of(reference));
                r.addAll(referenceRuns);
                flaky = flaky(patched.differingIds(reference), p, r);
            } catch (IOException e) {
                problem = (problem == null ? "" : problem + "; ") + "reference run again: " + e.getMessage();
            }
        }
        Map<String, String> history = Map.of();
        String historyRun = null;
        if (patched != null && reference != null && oldTests != null) {
            List<String> remaining = new ArrayList<>(patched.differingIds(reference));
            remaining.removeAll(flaky.keySet());
            if (!remaining.isEmpty()) {
                try {
                    HistoryCheck.Result h = historyMatched(oldRelease, newRelease, dir.resolve("history-reference"),
                            remaining, patched, oldTests);
                    history = h.explained();
                    historyRun = h.run();
                } catch (IOException e) {
                    historyRun = "the history-matched reference did not run (" + e.getMessage() + "), so it explains no difference";
                }
            }
        }
        return new PairResult(pair, build, apply, oldTests, patched, reference, changed, problem, flaky, history, historyRun);
    }

    /**
     * Runs the history-matched reference: a JVM on the new jar without the agent, its class path
     * arranged as the patched JVM's with the new jar for the old one, runs the old release's
     * suite, then the classes of {@code ids} of the new suite; and classifies {@code ids}.
     */
    private HistoryCheck.Result historyMatched(ReleaseClasspath oldRelease, ReleaseClasspath newRelease, Path dir,
                                               List<String> ids, SuiteOutcome patched, SuiteOutcome oldInPatched)
            throws IOException, InterruptedException {
        List<Path> cp = new ArrayList<>();
        cp.add(newRelease.jar());
        cp.addAll(newRelease.testPath());
        cp.add(newRelease.tests());
        cp.addAll(oldRelease.missingFrom(newRelease));
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx2g"));
        jvmArgs.addAll(childArgs);
        try (ChildJvm child = ChildJvm.start(dir, jvmArgs, runnerClasses, cp, Duration.ofMinutes(2))) {
            SuiteOutcome oldOnNewJar = child.run("old-tests", List.of(oldRelease.tests()), List.of(), suiteTimeout);
            SuiteOutcome newAfterOld = child.run("new-tests", List.of(newRelease.tests()), List.of(), suiteTimeout, classesOf(ids));
            return HistoryCheck.classify(ids, patched, oldInPatched, oldOnNewJar, newAfterOld);
        }
    }

    /** How many times the test classes whose tests differ run again, on each side. */
    static final int RERUNS = 2;

    /** A regular expression matching the top-level test classes of {@code ids}, or null if there are none. */
    static String classesOf(List<String> ids) {
        java.util.TreeSet<String> classes = new java.util.TreeSet<>();
        for (String id : ids) {
            String c = SuiteOutcome.testClass(id);
            if (c != null) {
                classes.add(java.util.regex.Pattern.quote(c));
            }
        }
        return classes.isEmpty() ? null : String.join("|", classes);
    }

    /**
     * The tests of {@code ids} that are flaky: their outcome varies between the runs of one side
     * (the patched JVM's, the reference's) and some outcome was seen on both sides, so the
     * first runs' difference does not tell the patched JVM from the new release. By id, the
     * outcomes seen on each side. A run in which the id did not occur ({@code absent}) gives no
     * outcome: an id that only one side's runs name (one holding something of that JVM, such as
     * its directory) is a difference, not a flaky test.
     */
    static Map<String, String> flaky(List<String> ids, List<SuiteOutcome> patchedRuns, List<SuiteOutcome> referenceRuns) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String id : ids) {
            List<String> p = patchedRuns.stream().map(o -> o.outcome(id)).toList();
            List<String> r = referenceRuns.stream().map(o -> o.outcome(id)).toList();
            java.util.Set<String> seenP = new java.util.HashSet<>(p);
            java.util.Set<String> seenR = new java.util.HashSet<>(r);
            seenP.remove("absent");
            seenR.remove("absent");
            boolean varies = seenP.size() > 1 || seenR.size() > 1;
            if (varies && seenP.stream().anyMatch(seenR::contains)) {
                out.put(id, "patched JVM: " + String.join(", ", p) + "; reference: " + String.join(", ", r));
            }
        }
        return out;
    }

    private SuiteOutcome reference(ReleaseClasspath release, Path dir) throws IOException, InterruptedException {
        return reference(release, dir, null);
    }

    private SuiteOutcome reference(ReleaseClasspath release, Path dir, String classes) throws IOException, InterruptedException {
        List<Path> cp = new ArrayList<>();
        cp.add(release.jar());
        cp.addAll(release.testPath());
        cp.add(release.tests());
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx2g"));
        jvmArgs.addAll(childArgs);
        try (ChildJvm child = ChildJvm.start(dir, jvmArgs, runnerClasses, cp, Duration.ofMinutes(2))) {
            return child.run("new-tests", List.of(release.tests()), List.of(), suiteTimeout, classes);
        }
    }

    /** Changed plus added classes, from the headers of the builder's description ("Changed classes (3):"). */
    static int countChanged(String description) {
        int n = 0;
        for (String line : description.split("\n")) {
            if ((line.startsWith("Changed classes (") || line.startsWith("Added classes (")) && line.endsWith("):")) {
                n += Integer.parseInt(line.substring(line.indexOf('(') + 1, line.length() - 2));
            }
        }
        return n;
    }
}
