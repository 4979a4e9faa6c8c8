package dev.atlas.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CVE-2022-42889 ("Text4Shell") closed live: commons-text 1.9 enables the {@code dns},
 * {@code url} and {@code script} lookups of {@code StringSubstitutor.createInterpolator()}
 * by default, through a singleton ({@code StringLookupFactory}'s default lookups) built at
 * class initialisation; 1.10.0 builds it without them. A JVM on 1.9 with the agent
 * interpolates {@code ${dns:..}} and {@code ${url:..}} (checked first, after the singleton
 * was built by the old code); the patch built by {@code atlas patch build} from the two
 * released jars (with the package {@code org.apache.commons.text.numbers} that 1.10.0 adds,
 * defined in the old release's class loader) is applied by {@code atlas patch apply}; the
 * same JVM then leaves both lookups uninterpolated, as 1.10.0 does, and has the new package,
 * with the old jar's manifest attributes. Code loaded after the apply and compiled against
 * 1.10.0 reaches the classes the patch adds by their own names (the new package's
 * {@code DoubleFormat}, {@code StringLookupFactory$DefaultStringLookupsHolder}), as the new
 * release's tests do. The probes are JUnit classes run by the corpus's suite runner in that
 * JVM, before and after the patch.
 */
class Text4ShellLiveIT {
    static final String BEFORE = """
            package probe;
            import org.apache.commons.text.StringSubstitutor;
            import org.junit.jupiter.api.Test;
            import static org.junit.jupiter.api.Assertions.*;
            public class OldViewInterpolatesTest {
                @Test void dnsLookupRuns() {
                    String in = "${dns:address|localhost}";
                    assertNotEquals(in, StringSubstitutor.createInterpolator().replace(in));
                }
                @Test void urlLookupReadsTheFile() {
                    String in = "${url:UTF-8:" + System.getProperty("probe.url") + "}";
                    assertEquals("s3cret", StringSubstitutor.createInterpolator().replace(in));
                }
                @Test void noNumbersPackageYet() {
                    assertNull(StringSubstitutor.class.getClassLoader().getDefinedPackage("org.apache.commons.text.numbers"));
                }
            }
            """;
    static final String AFTER = """
            package probe;
            import org.apache.commons.text.StringSubstitutor;
            import org.junit.jupiter.api.Test;
            import static org.junit.jupiter.api.Assertions.*;
            public class NewViewDoesNotInterpolateTest {
                @Test void dnsLookupIsOff() {
                    String in = "${dns:address|localhost}";
                    assertEquals(in, StringSubstitutor.createInterpolator().replace(in));
                }
                @Test void urlLookupIsOff() {
                    String in = "${url:UTF-8:" + System.getProperty("probe.url") + "}";
                    assertEquals(in, StringSubstitutor.createInterpolator().replace(in));
                }
                @Test void harmlessLookupsStillWork() {
                    assertEquals("x", StringSubstitutor.createInterpolator().replace("${base64Decoder:eA==}"));
                }
                @Test void theNewPackageIsBesideTheOldRelease() {
                    Package numbers = StringSubstitutor.class.getClassLoader().getDefinedPackage("org.apache.commons.text.numbers");
                    assertNotNull(numbers);
                    assertFalse(numbers.isSealed());
                    assertEquals(StringSubstitutor.class.getPackage().getImplementationVersion(), numbers.getImplementationVersion());
                }
            }
            """;
    /** Compiled against 1.10.0: names classes only the new release has (the patch adds them). */
    static final String LATER = """
            package probe;
            import org.apache.commons.text.StringSubstitutor;
            import org.apache.commons.text.numbers.DoubleFormat;
            import org.junit.jupiter.api.Test;
            import static org.junit.jupiter.api.Assertions.*;
            public class LaterCodeNamesAddedClassesTest {
                @Test void theNewPackagesClassRunsByItsOwnName() {
                    assertEquals("1.5", DoubleFormat.PLAIN.builder().build().apply(1.5));
                }
                @Test void anAddedNestedClassIsFoundByName() throws Exception {
                    Class<?> holder = Class.forName("org.apache.commons.text.lookup.StringLookupFactory$DefaultStringLookupsHolder");
                    assertSame(StringSubstitutor.class.getClassLoader(), holder.getClassLoader());
                }
            }
            """;

    @Test
    void theExploitableLookupsAreOffInTheNewView(@TempDir Path tmp) throws Exception {
        LiveReleases releases = LiveReleases.of("org.apache.commons", "commons-text", "1.9", "1.10.0");
        ReleaseClasspath old = releases.old();
        ReleaseClasspath fixed = releases.fixed();
        CliDriver cli = releases.cli();
        Path patch = tmp.resolve("text4shell.atlaspatch");
        // the two released jars as they are: 1.10.0's new package org.apache.commons.text.numbers (DoubleFormat) included
        CliDriver.Build build = cli.build(old.jar(), fixed.jar(), fixed.testPath(), patch, tmp.resolve("build.log"));
        assertTrue(build.built(), () -> "refused: " + build.refusals());

        List<Path> compileCp = releases.oldCompilePath();
        Path before = LiveReleases.probeJar(tmp.resolve("before"), compileCp, "OldViewInterpolatesTest", BEFORE);
        Path after = LiveReleases.probeJar(tmp.resolve("after"), compileCp, "NewViewDoesNotInterpolateTest", AFTER);
        List<Path> newCp = new ArrayList<>(fixed.testPath());
        newCp.add(fixed.jar());
        Path later = LiveReleases.probeJar(tmp.resolve("later"), newCp, "LaterCodeNamesAddedClassesTest", LATER);
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "s3cret");
        List<String> jvmArgs = List.of(ChildJvm.agentArgument(cli.agentJar(), "org.apache.commons.text"),
                "-XX:+EnableDynamicAgentLoading", "--enable-native-access=ALL-UNNAMED", "-Dprobe.url=" + secret.toUri());
        List<Path> cp = new ArrayList<>(List.of(old.jar(), before, after, later));
        cp.addAll(old.testPath());
        Path runner = Path.of(CorpusMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (ChildJvm child = ChildJvm.start(tmp.resolve("jvm"), jvmArgs, runner, cp, Duration.ofMinutes(2))) {
            SuiteOutcome exploitable = child.run("before", List.of(before), List.of(), Duration.ofMinutes(2));
            assertEquals(3, exploitable.count("SUCCESSFUL"), () -> "1.9 interpolates dns and url: " + exploitable.summary());
            CliDriver.Apply apply = cli.apply(child.pid(), patch, tmp.resolve("apply.log"));
            assertTrue(apply.inEffect(), apply::text);
            assertTrue(apply.text().contains("Static state of the new view:"), apply::text);
            SuiteOutcome fixedView = child.run("after", List.of(after), List.of(), Duration.ofMinutes(2));
            assertEquals(4, fixedView.count("SUCCESSFUL"), () -> "the patched JVM as 1.10.0: " + fixedView.summary()
                    + " " + fixedView.outcomes());
            assertTrue(apply.text().contains("org.apache.commons.text.numbers.DoubleFormat: defined under its own name"),
                    apply::text);
            SuiteOutcome named = child.run("later", List.of(later), List.of(), Duration.ofMinutes(2));
            assertEquals(2, named.count("SUCCESSFUL"), () -> "added classes by their own names: " + named.summary()
                    + " " + named.outcomes());
        }
    }
}
