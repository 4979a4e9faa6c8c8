package dev.atlas.demo.runtime;

import java.util.ArrayList;
import java.util.List;

/** The demo's pass/fail checks, rendered as a list, and the verdict they add up to. */
final class Checks {
    private record Check(boolean passed, String text) {}

    private final List<Check> checks = new ArrayList<>();

    void check(boolean passed, String text) {
        checks.add(new Check(passed, text));
    }

    boolean allPassed() {
        return checks.stream().allMatch(Check::passed);
    }

    String render() {
        StringBuilder sb = new StringBuilder("Checks\n");
        for (Check c : checks) {
            sb.append(c.passed() ? "  [ok]   " : "  [FAIL] ").append(c.text()).append('\n');
        }
        return sb.toString();
    }

    /** "PASS: summary" if every check passed, else "FAIL: " and the failed checks. */
    String verdict(String passSummary) {
        if (allPassed()) {
            return "VERDICT: PASS: " + passSummary;
        }
        return "VERDICT: FAIL: " + String.join("; ", checks.stream().filter(c -> !c.passed()).map(Check::text).toList());
    }
}
