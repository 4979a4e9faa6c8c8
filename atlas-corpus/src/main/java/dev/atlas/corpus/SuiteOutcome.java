package dev.atlas.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The outcome of one run of a release's test suite: each test's (and each failed
 * container's) result by JUnit unique id, as {@link dev.atlas.corpus.child.SuiteRunner} wrote it.
 *
 * @param outcomes {@code SUCCESSFUL}, {@code FAILED}, {@code ABORTED}, {@code SKIPPED} or
 *                 {@code CONTAINER_FAILED} by unique id
 * @param millis how long the run took in the child JVM
 */
record SuiteOutcome(Map<String, String> outcomes, long millis) {
    SuiteOutcome {
        outcomes = Map.copyOf(outcomes);
    }

    static SuiteOutcome read(Path file, long millis) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                m.put(line.substring(tab + 1), line.substring(0, tab));
            }
        }
        return new SuiteOutcome(m, millis);
    }

    long count(String outcome) {
        return outcomes.values().stream().filter(outcome::equals).count();
    }

    /** Tests run (not skipped). */
    long tests() {
        return outcomes.values().stream().filter(o -> !o.equals("CONTAINER_FAILED") && !o.equals("SKIPPED")).count();
    }

    /** "4012 passed, 3 failed" and the rest when not zero. */
    String summary() {
        StringBuilder sb = new StringBuilder().append(count("SUCCESSFUL")).append(" passed");
        append(sb, count("FAILED"), "failed");
        append(sb, count("ABORTED"), "aborted");
        append(sb, count("SKIPPED"), "skipped");
        append(sb, count("CONTAINER_FAILED"), "class(es) failed");
        outcomes.forEach((k, v) -> {
            if (v.startsWith("RUN_FAILED")) {
                sb.append(", ").append(v);
            }
        });
        return sb.toString();
    }

    private static void append(StringBuilder sb, long n, String what) {
        if (n > 0) {
            sb.append(", ").append(n).append(' ').append(what);
        }
    }

    /** Each test whose outcome here differs from the reference's, as {@code id: here vs reference}. */
    List<String> differencesFrom(SuiteOutcome reference) {
        List<String> diffs = new ArrayList<>();
        TreeSet<String> ids = new TreeSet<>(outcomes.keySet());
        ids.addAll(reference.outcomes.keySet());
        for (String id : ids) {
            String here = outcomes.getOrDefault(id, "absent");
            String there = reference.outcomes.getOrDefault(id, "absent");
            if (!here.equals(there)) {
                diffs.add(id + ": " + here + " (reference: " + there + ")");
            }
        }
        return diffs;
    }
}
