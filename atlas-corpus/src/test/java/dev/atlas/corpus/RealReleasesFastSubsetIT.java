package dev.atlas.corpus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The corpus's fast subset (the pairs marked {@code fast} in {@code corpus.txt}), end to end
 * as {@code ./atlas corpus --fast --tests <CI_TESTS>} runs it: releases from Maven Central, the
 * patch built by {@code atlas patch build}, applied by {@code atlas patch apply} to a JVM that
 * ran the old release's tests, judged by the new release's tests against a run on the new jar.
 * To stay within its CI share (about 3 minutes) each suite is cut to the test classes of the
 * classes the fast pair changes ({@code Md5Crypt}, {@code Metaphone}) and of the Beider-Morse
 * language tables (whose class initialisation once failed under the agent); the whole suites
 * run in {@code ./atlas corpus}.
 */
class RealReleasesFastSubsetIT {
    /** The test classes the CI subset runs of each suite. */
    static final String CI_TESTS = ".*\\.(Md5Crypt|Metaphone|LanguageGuessing)Test";

    @Test
    void fastPairsBuildApplyAndBehaveLikeTheNewRelease(@org.junit.jupiter.api.io.TempDir Path verdicts) throws Exception {
        Path root = Path.of(System.getProperty("atlas.root", "..")).toAbsolutePath().normalize();
        List<ReleasePair> fast = new ArrayList<>();
        for (ReleasePair p : ReleasePair.corpus()) {
            if (p.fast()) {
                fast.add(p);
            }
        }
        assertFalse(fast.isEmpty(), "corpus.txt marks no pair 'fast'");
        List<PairResult> results = CorpusMain.run(root, fast, Duration.ofMinutes(8), CI_TESTS, p -> true, System.out, done -> { });
        for (PairResult r : results) {
            String why = r.pair().id() + ": " + CorpusReport.reasons(r);
            assertFalse(r.appliedButDifferent(), why);
            assertTrue(r.reference() != null && r.reference().tests() > 30, why);
            assertTrue(r.oldTests() != null && r.oldTests().tests() > 30, why);
            assertTrue(r.passed(), why);
        }
        // recorded as a run does, in a directory of its own (never the committed atlas-corpus/verdicts): a subset, so no pass
        VerdictStore store = new VerdictStore(verdicts);
        Verdict.Provenance p = new Verdict.Provenance("test", true, "now", System.getProperty("java.version"), "", "", "",
                "RealReleasesFastSubsetIT");
        for (PairResult r : results) {
            store.record(Verdict.of(r, CI_TESTS, p));
        }
        for (Verdict v : store.readAll()) {
            assertTrue(v.behavedLikeTheNewRelease() && !v.passed(), v.id());
        }
    }
}
