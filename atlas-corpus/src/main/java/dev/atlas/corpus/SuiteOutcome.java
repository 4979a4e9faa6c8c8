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
        return differencesFrom(reference, java.util.Set.of());
    }

    /** {@link #differencesFrom(SuiteOutcome)} but for the tests in {@code ignored}. */
    List<String> differencesFrom(SuiteOutcome reference, java.util.Set<String> ignored) {
        List<String> diffs = new ArrayList<>();
        for (String id : differingIds(reference)) {
            if (!ignored.contains(id)) {
                diffs.add(id + ": " + outcome(id) + " (reference: " + reference.outcome(id) + ")");
            }
        }
        return diffs;
    }

    /** The ids (tests and failed containers) whose outcome here differs from the reference's, sorted. */
    List<String> differingIds(SuiteOutcome reference) {
        List<String> diffs = new ArrayList<>();
        TreeSet<String> ids = new TreeSet<>(outcomes.keySet());
        ids.addAll(reference.outcomes.keySet());
        for (String id : ids) {
            if (!outcome(id).equals(reference.outcome(id))) {
                diffs.add(id);
            }
        }
        return diffs;
    }

    /** The outcome of {@code id}, {@code absent} if it did not run. */
    String outcome(String id) {
        return outcomes.getOrDefault(id, "absent");
    }

    /**
     * The top-level test class named in a JUnit unique id ({@code [class:a.BTest]} or a
     * vintage {@code [runner:a.BTest]} segment), or null.
     */
    static String testClass(String uniqueId) {
        for (String kind : new String[] {"[class:", "[runner:"}) {
            int i = uniqueId.indexOf(kind);
            if (i >= 0) {
                int end = uniqueId.indexOf(']', i);
                String c = uniqueId.substring(i + kind.length(), end < 0 ? uniqueId.length() : end);
                int nested = c.indexOf('$');
                return nested < 0 ? c : c.substring(0, nested);
            }
        }
        return null;
    }
}
