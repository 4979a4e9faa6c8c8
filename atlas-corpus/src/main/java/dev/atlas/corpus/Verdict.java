package dev.atlas.corpus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recorded result of one run of one release pair: what the document's row, its refusal
 * list, its differences and flaky lists and its builder-notes summary need, with where and
 * when it was obtained. Not the per-test outcomes (a suite has up to tens of thousands): the
 * counts per side, and the ids of the tests that differ. Stored one file per pair by
 * {@link VerdictStore}, rendered by {@link CorpusReport}.
 *
 * @param group Maven group id
 * @param artifact Maven artifact id (the library)
 * @param oldVersion the release the JVM started on
 * @param newVersion the release the patch was built to
 * @param cves the security fixes between the two, or empty
 * @param subset null, or the {@code --tests} regular expression the suites were cut to: such a
 *               verdict is never a full pass
 * @param build step (1), or null if it did not run (the releases could not be fetched)
 * @param apply the live apply, or null if there was nothing to apply
 * @param oldTests the old release's tests before the patch, or null if not run
 * @param patched the new release's tests on the patched JVM, or null if not run
 * @param reference the new release's tests on the new jar, or null if not run
 * @param differences each test whose outcome differs, as {@code id: patched (reference: outcome)}
 * @param flaky the tests found flaky, by id: the outcomes seen on each side
 * @param problem why a step could not run, or null
 * @param provenance where and when the verdict was obtained
 * @param newerRun null, or a newer run of this pair that did not replace this verdict
 *                 ({@link VerdictStore}'s rule), e.g. {@code build-only at 1a2b3c4 2026-12-07T21:40:00Z: built}
 * @param history the tests that differ from the fresh reference only by the judge's history
 *                ({@link HistoryCheck}), by id: both outcomes. Not in {@code differences}; empty in
 *                records from before the check
 * @param historyRun null if no history-matched reference ran; else what it ran and saw, or why it
 *                   explained nothing
 */
record Verdict(String group, String artifact, String oldVersion, String newVersion, List<String> cves, String subset,
               Built build, Applied apply, Counts oldTests, Counts patched, Counts reference, List<String> differences,
               Map<String, String> flaky, String problem, Provenance provenance, String newerRun,
               Map<String, String> history, String historyRun) {

    Verdict {
        cves = List.copyOf(cves);
        differences = List.copyOf(differences);
        flaky = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(flaky));
        history = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(history));
    }

    /** A verdict without a history-matched reference. */
    Verdict(String group, String artifact, String oldVersion, String newVersion, List<String> cves, String subset,
            Built build, Applied apply, Counts oldTests, Counts patched, Counts reference, List<String> differences,
            Map<String, String> flaky, String problem, Provenance provenance, String newerRun) {
        this(group, artifact, oldVersion, newVersion, cves, subset, build, apply, oldTests, patched, reference, differences,
                flaky, problem, provenance, newerRun, Map.of(), null);
    }

    /** Step (1): built or refused, with the refusals, the builder's notes and the classes changed. */
    record Built(boolean built, List<String> refusals, int notes, String firstNote, int changedClasses, long millis,
                 String failure) {
        Built {
            refusals = List.copyOf(refusals);
        }
    }

    /** The live apply: the agent's reply status, whether the patch is in effect, the CLI's wall time. */
    record Applied(boolean inEffect, String status, int exitCode, String firstLine, long millis, String prepareMs) {
    }

    /** A suite's outcome as counts (and the whole-run failures, if any). */
    record Counts(long passed, long failed, long aborted, long skipped, long classesFailed, List<String> runFailed) {
        Counts {
            runFailed = List.copyOf(runFailed);
        }

        static Counts of(SuiteOutcome s) {
            List<String> runFailed = new ArrayList<>();
            s.outcomes().forEach((k, v) -> {
                if (v.startsWith("RUN_FAILED")) {
                    runFailed.add(v);
                }
            });
            return new Counts(s.count("SUCCESSFUL"), s.count("FAILED"), s.count("ABORTED"), s.count("SKIPPED"),
                    s.count("CONTAINER_FAILED"), runFailed);
        }

        /** "4012 passed, 3 failed" and the rest when not zero, as {@link SuiteOutcome#summary()}. */
        String summary() {
            StringBuilder sb = new StringBuilder().append(passed).append(" passed");
            append(sb, failed, "failed");
            append(sb, aborted, "aborted");
            append(sb, skipped, "skipped");
            append(sb, classesFailed, "class(es) failed");
            runFailed.forEach(r -> sb.append(", ").append(r));
            return sb.toString();
        }

        private static void append(StringBuilder sb, long n, String what) {
            if (n > 0) {
                sb.append(", ").append(n).append(' ').append(what);
            }
        }
    }

    /**
     * Where and when: the Atlas checkout's commit (and whether it had uncommitted changes), the
     * end of the pair's run (UTC, ISO-8601), the JDK, the machine, the 1-minute load average at the
     * pair's start and end, and the command line of the run.
     */
    record Provenance(String commit, boolean dirty, String finished, String jdk, String machine, String loadStart,
                      String loadEnd, String command) {
        /** {@code 1a2b3c4} or {@code 1a2b3c4+dirty}. */
        String shortCommit() {
            return (commit.length() > 7 ? commit.substring(0, 7) : commit) + (dirty ? "+dirty" : "");
        }
    }

    /** The verdict of {@code r}, as obtained by a run described by {@code provenance}. */
    static Verdict of(PairResult r, String subset, Provenance provenance) {
        ReleasePair p = r.pair();
        Built built = null;
        if (r.build() != null) {
            CliDriver.Build b = r.build();
            String failure = !b.built() && b.refusals().isEmpty() ? lastLine(b.output()) : null;
            built = new Built(b.built(), b.refusals(), b.notes().size(), b.notes().isEmpty() ? null : b.notes().getFirst(),
                    b.built() ? r.changedClasses() : 0, b.millis(), failure);
        }
        Applied applied = null;
        if (r.apply() != null) {
            CliDriver.Apply a = r.apply();
            applied = new Applied(a.inEffect(), a.status(), a.exitCode(), firstLine(a.text()), a.millis(),
                    a.fields().get("prepare-ms"));
        }
        return new Verdict(p.group(), p.artifact(), p.oldVersion(), p.newVersion(), p.cves(), subset, built, applied,
                r.oldTests() == null ? null : Counts.of(r.oldTests()),
                r.patchedTests() == null ? null : Counts.of(r.patchedTests()),
                r.reference() == null ? null : Counts.of(r.reference()),
                r.differences(), new java.util.TreeMap<>(r.flaky()), r.problem(), provenance, null,
                new java.util.TreeMap<>(r.history()), r.historyRun());
    }

    /** {@code commons-text 1.9 -> 1.10.0}, as {@link ReleasePair#id()}. */
    String id() {
        return artifact + " " + oldVersion + " -> " + newVersion;
    }

    /** {@code commons-text-1.9-1.10.0}, as {@link ReleasePair#slug()}: the record's file name without extension. */
    String slug() {
        return artifact + "-" + oldVersion + "-" + newVersion;
    }

    boolean built() {
        return build != null && build.built();
    }

    /** Steps (2) and (3) were run (or attempted) for it: the patch built and the pair was not stopped after step (1). */
    boolean judged() {
        return built() && (apply != null || oldTests != null || patched != null || reference != null || problem != null);
    }

    /** Built, and stopped there ({@code --build-only}, {@code --judge}). */
    boolean notJudged() {
        return built() && !judged();
    }

    /**
     * Built, applied, and the new tests' outcomes on the patched JVM equal the reference's, in full
     * or on the subset: flaky tests aside, and those explained by the judge's history, each of which
     * had the same defined outcome on the patched JVM and in the history-matched reference (the
     * document names how many, beside the verdict).
     */
    boolean behavedLikeTheNewRelease() {
        return built() && apply != null && apply.inEffect() && patched != null && reference != null && differences.isEmpty();
    }

    /** A pass: {@link #behavedLikeTheNewRelease()} on the whole suites (not a {@code --tests} subset). */
    boolean passed() {
        return subset == null && behavedLikeTheNewRelease();
    }

    /** Applied, yet the new release's tests behave differently than on the new jar. */
    boolean appliedButDifferent() {
        return apply != null && apply.inEffect() && patched != null && reference != null && !differences.isEmpty();
    }

    /** Why the pair did not pass: problem, refusals (the first 12), a failed apply, differences (the first 10). */
    List<String> reasons() {
        List<String> out = new ArrayList<>();
        if (problem != null) {
            out.add(problem);
        }
        if (build != null && !build.built()) {
            if (build.refusals().isEmpty()) {
                out.add("build failed: " + (build.failure() == null ? "" : build.failure()));
            }
            int shown = 0;
            for (String x : build.refusals()) {
                if (shown++ == 12) {
                    out.add("... " + (build.refusals().size() - 12) + " more refusal(s)");
                    break;
                }
                out.add("refused: " + x);
            }
        }
        if (apply != null && !apply.inEffect()) {
            out.add("apply " + apply.status() + " (exit " + apply.exitCode() + "): " + apply.firstLine());
        }
        int shown = 0;
        for (String d : differences) {
            if (shown++ == 10) {
                out.add("... " + (differences.size() - 10) + " more test(s) differ");
                break;
            }
            out.add("differs: " + d);
        }
        return out;
    }

    Verdict withNewerRun(String note) {
        return new Verdict(group, artifact, oldVersion, newVersion, cves, subset, build, apply, oldTests, patched, reference,
                differences, flaky, problem, provenance, note, history, historyRun);
    }

    private static String firstLine(String s) {
        String t = s == null ? "" : s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    private static String lastLine(String s) {
        String t = s == null ? "" : s.strip();
        int nl = t.lastIndexOf('\n');
        return nl < 0 ? t : t.substring(nl + 1);
    }
}
