package dev.atlas.testsupport.layout;

import dev.atlas.testsupport.SourceCompiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The rule finds what it names, on a test tree built for it: wrong classes and right ones. */
class TestLayoutSelfTest {

    @Test
    void findsProcessStartsLincheckAndUnrunClasses(@TempDir Path tmp) throws Exception {
        Path classes = SourceCompiler.compileTo(tmp, sources(
                // a helper (no test methods) that starts a child process, reached through a lambda
                "dev.atlas.fixture.Launcher", """
                        package dev.atlas.fixture;
                        public final class Launcher {
                            public static Process start() throws java.io.IOException {
                                return new ProcessBuilder("true").start();
                            }
                        }""",
                "dev.atlas.fixture.HelperHolder", """
                        package dev.atlas.fixture;
                        final class HelperHolder implements java.util.concurrent.Callable<Process> {
                            @Override public Process call() throws Exception { return Launcher.start(); }
                        }""",
                "dev.atlas.fixture.ThroughLambdaTest", """
                        package dev.atlas.fixture;
                        import org.junit.jupiter.api.Test;
                        class ThroughLambdaTest {
                            @Test void t() throws Exception {
                                java.util.concurrent.Callable<Process> c = () -> Launcher.start();
                                c.call();
                            }
                        }""",
                // an object created by the test whose method a framework (here: the JDK) calls
                "dev.atlas.fixture.ThroughInterfaceTest", """
                        package dev.atlas.fixture;
                        import org.junit.jupiter.api.Test;
                        class ThroughInterfaceTest {
                            @Test void t() throws Exception { java.util.concurrent.Executors.newSingleThreadExecutor().submit(new HelperHolder()); }
                        }""",
                "dev.atlas.fixture.HelpOnlyTest", """
                        package dev.atlas.fixture;
                        import org.junit.jupiter.api.Test;
                        @dev.atlas.testsupport.layout.StartsNoProcess("only asks for help")
                        class HelpOnlyTest {
                            @Test void t() throws Exception { if (Boolean.getBoolean("never")) Launcher.start(); }
                        }""",
                "dev.atlas.fixture.StaleExemptionTest", """
                        package dev.atlas.fixture;
                        import org.junit.jupiter.api.Test;
                        @dev.atlas.testsupport.layout.StartsNoProcess("was true once")
                        class StaleExemptionTest {
                            @Test void t() { }
                        }""",
                "dev.atlas.fixture.ChildIT", """
                        package dev.atlas.fixture;
                        import org.junit.jupiter.api.Test;
                        class ChildIT {
                            @Test void t() throws Exception { Launcher.start(); }
                        }""",
                "dev.atlas.fixture.PureTest", """
                        package dev.atlas.fixture;
                        import org.junit.jupiter.api.Test;
                        class PureTest {
                            @Test void t() { HelperHolder.class.getName(); }
                        }""",
                "org.jetbrains.lincheck.Fake", """
                        package org.jetbrains.lincheck;
                        public final class Fake { public static void check() {} }""",
                "dev.atlas.fixture.QueueTest", """
                        package dev.atlas.fixture;
                        import org.junit.jupiter.api.Test;
                        class QueueTest {
                            @Test void t() { org.jetbrains.lincheck.Fake.check(); }
                        }""",
                "dev.atlas.fixture.QueueModelCheckTest", """
                        package dev.atlas.fixture;
                        import org.junit.jupiter.api.Test;
                        class QueueModelCheckTest {
                            @Test void t() { org.jetbrains.lincheck.Fake.check(); }
                        }""",
                "dev.atlas.fixture.NeverRun", """
                        package dev.atlas.fixture;
                        import org.junit.jupiter.api.Test;
                        class NeverRun {
                            @Test void t() { }
                        }"""));
        List<String> violations;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            violations = TestLayout.violations(classes, loader);
        }
        assertEquals(5, violations.size(), String.join("\n", violations));
        assertStartsWith("dev.atlas.fixture.NeverRun: has test methods but neither", violations.get(0));
        assertStartsWith("dev.atlas.fixture.QueueTest: uses Lincheck", violations.get(1));
        assertStartsWith("dev.atlas.fixture.StaleExemptionTest: @StartsNoProcess, but no process", violations.get(2));
        assertStartsWith("dev.atlas.fixture.ThroughInterfaceTest: starts or attaches to another process "
                + "(dev.atlas.fixture.ThroughInterfaceTest.t -> dev.atlas.fixture.HelperHolder.call -> "
                + "dev.atlas.fixture.Launcher.start -> new java.lang.ProcessBuilder)", violations.get(3));
        assertStartsWith("dev.atlas.fixture.ThroughLambdaTest: starts or attaches to another process", violations.get(4));
    }

    private static Map<String, String> sources(String... nameThenSource) {
        Map<String, String> sources = new java.util.HashMap<>();
        for (int i = 0; i < nameThenSource.length; i += 2) {
            sources.put(nameThenSource[i], nameThenSource[i + 1]);
        }
        return sources;
    }

    private static void assertStartsWith(String prefix, String actual) {
        if (!actual.startsWith(prefix)) {
            throw new AssertionError("expected a line starting with\n  " + prefix + "\nbut was\n  " + actual);
        }
    }
}
