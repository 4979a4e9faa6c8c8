package dev.atlas.testsupport.layout;

import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The {@link TestLayout} rule as a test: every module with tests has one class
 * {@code TestLayoutTest extends TestLayoutRules} in its test tree, which checks the tree it is
 * compiled into.
 *
 * <p>Threading: JUnit's; one instance per test.
 */
public abstract class TestLayoutRules {
    /** For subclasses. */
    protected TestLayoutRules() {}

    @Test
    void testClassesAreNamedForWhatTheyRun() {
        List<String> violations = TestLayout.violations(getClass());
        if (!violations.isEmpty()) {
            throw new AssertionError("test classes against the test layout rule (child processes: *IT; "
                    + "Lincheck: *ModelCheckTest/*StressTest):\n  " + String.join("\n  ", violations));
        }
    }
}
