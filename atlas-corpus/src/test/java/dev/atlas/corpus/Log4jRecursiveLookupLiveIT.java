package dev.atlas.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CVE-2021-45105 closed live: log4j-core 2.16.0 evaluates lookups in the value a context
 * lookup returns while it formats an event, so a Thread Context value an attacker controls,
 * {@code ${${::-${::-$${::-j}}}}}, sent through a layout pattern with {@code ${ctx:user}},
 * recurses until the substitutor gives up ({@code IllegalStateException: Infinite loop in
 * property interpolation}): the event is lost, or the appender throws into the caller. 2.17.0
 * evaluates lookups at run time without recursion and writes the value as it is. A JVM on
 * 2.16.0 with the agent shows the failure first; the patch built by {@code atlas patch build}
 * from the two released jars is applied by {@code atlas patch apply}; the same JVM, with its
 * layout, appender and logger context made by 2.16.0's code, then writes the attacker's value
 * literally, as 2.17.0 does. The probes are JUnit classes run by the corpus's suite runner in
 * that JVM, before and after the patch; the JVM has the release's test class path (its optional
 * dependencies, JMS among them, which the patch's new code names).
 */
class Log4jRecursiveLookupLiveIT {
    /** The probes' shared code: a writer appender with a context lookup in its pattern, added to the root logger. */
    static final String PROBE = """
            package probe;
            import java.io.StringWriter;
            import org.apache.logging.log4j.Level;
            import org.apache.logging.log4j.LogManager;
            import org.apache.logging.log4j.ThreadContext;
            import org.apache.logging.log4j.core.Appender;
            import org.apache.logging.log4j.core.LoggerContext;
            import org.apache.logging.log4j.core.appender.WriterAppender;
            import org.apache.logging.log4j.core.config.Configuration;
            import org.apache.logging.log4j.core.layout.PatternLayout;
            public final class Probe {
                public static final String PAYLOAD = "${${::-${::-$${::-j}}}}";
                private static final StringWriter OUT = new StringWriter();
                private static boolean installed;
                /** What one event with Thread Context user = {@code user} writes (the appender throws what it meets). */
                public static synchronized String log(String user) {
                    if (!installed) {
                        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
                        Configuration config = ctx.getConfiguration();
                        PatternLayout layout = PatternLayout.newBuilder().withPattern("user=${ctx:user} %m")
                                .withConfiguration(config).build();
                        Appender app = WriterAppender.createAppender(layout, null, OUT, "probe", false, false);
                        app.start();
                        config.addAppender(app);
                        config.getRootLogger().addAppender(app, Level.ERROR, null);
                        ctx.updateLoggers();
                        installed = true;
                    }
                    OUT.getBuffer().setLength(0);
                    ThreadContext.put("user", user);
                    try {
                        LogManager.getLogger("probe").error("request");
                    } finally {
                        ThreadContext.remove("user");
                    }
                    return OUT.toString();
                }
            }
            """;
    static final String BEFORE = """
            package probe;
            import org.apache.logging.log4j.core.appender.AppenderLoggingException;
            import org.junit.jupiter.api.Test;
            import static org.junit.jupiter.api.Assertions.*;
            public class OldViewRecursesTest {
                @Test void plainValuesAreWritten() {
                    assertEquals("user=alice request", Probe.log("alice"));
                }
                @Test void theRecursiveLookupBreaksTheEvent() {
                    AppenderLoggingException e = assertThrows(AppenderLoggingException.class, () -> Probe.log(Probe.PAYLOAD));
                    assertTrue(e.getCause() instanceof IllegalStateException, e::toString);
                    assertTrue(e.getCause().getMessage().startsWith("Infinite loop in property interpolation"), e.getCause()::getMessage);
                }
            }
            """;
    static final String AFTER = """
            package probe;
            import org.junit.jupiter.api.Test;
            import static org.junit.jupiter.api.Assertions.*;
            public class NewViewWritesItLiterallyTest {
                @Test void theRecursiveLookupIsWrittenAsItIs() {
                    assertEquals("user=" + Probe.PAYLOAD + " request", Probe.log(Probe.PAYLOAD));
                }
                @Test void plainValuesAreStillWritten() {
                    assertEquals("user=bob request", Probe.log("bob"));
                }
            }
            """;

    @Test
    void theRecursiveContextLookupIsWrittenLiterallyInTheNewView(@TempDir Path tmp) throws Exception {
        LiveReleases releases = LiveReleases.of("org.apache.logging.log4j", "log4j-core", "2.16.0", "2.17.0");
        ReleaseClasspath old = releases.old();
        ReleaseClasspath fixed = releases.fixed();
        CliDriver cli = releases.cli();
        Path patch = tmp.resolve("cve-2021-45105.atlaspatch");
        CliDriver.Build build = cli.build(old.jar(), fixed.jar(), fixed.testPath(), patch, tmp.resolve("build.log"));
        assertTrue(build.built(), () -> "refused: " + build.refusals());

        List<Path> compileCp = releases.oldCompilePath();
        Path probes = LiveReleases.probeJar(tmp.resolve("probes"), compileCp,
                "Probe", PROBE, "OldViewRecursesTest", BEFORE, "NewViewWritesItLiterallyTest", AFTER);
        List<String> jvmArgs = List.of(ChildJvm.agentArgument(cli.agentJar(), "org.apache.logging.log4j.core"),
                "-XX:+EnableDynamicAgentLoading", "--enable-native-access=ALL-UNNAMED");
        List<Path> cp = new ArrayList<>(List.of(old.jar(), probes));
        cp.addAll(old.testPath());
        Path runner = Path.of(CorpusMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (ChildJvm child = ChildJvm.start(tmp.resolve("jvm"), jvmArgs, runner, cp, Duration.ofMinutes(3))) {
            SuiteOutcome vulnerable = child.run("before", List.of(probes), List.of(), Duration.ofMinutes(3),
                    "probe\\.OldViewRecursesTest");
            assertEquals(2, vulnerable.count("SUCCESSFUL"), () -> "2.16.0 recurses into the context value: "
                    + vulnerable.summary() + " " + vulnerable.outcomes());
            CliDriver.Apply apply = cli.apply(child.pid(), patch, tmp.resolve("apply.log"));
            assertTrue(apply.inEffect(), apply::text);
            SuiteOutcome fixedView = child.run("after", List.of(probes), List.of(), Duration.ofMinutes(3),
                    "probe\\.NewViewWritesItLiterallyTest");
            assertEquals(2, fixedView.count("SUCCESSFUL"), () -> "the patched JVM as 2.17.0: " + fixedView.summary()
                    + " " + fixedView.outcomes());
        }
    }
}
