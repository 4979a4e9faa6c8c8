package dev.atlas.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CVE-2019-10086 closed live for the objects that already exist: commons-beanutils 1.9.3's
 * {@code PropertyUtilsBean} reads the {@code class} property of any bean (the way to a class
 * loader); 1.9.4 suppresses it in {@code resetBeanIntrospectors()}, which the constructor calls.
 * A JVM on 1.9.3 with the agent makes a {@code PropertyUtilsBean} and uses the default one behind
 * {@code PropertyUtils.getProperty}, each reading {@code class} (and so caching the descriptors
 * of {@code String} that the old introspectors gave); the patch is built by {@code atlas patch
 * build --rebuild-objects} naming {@code resetBeanIntrospectors()} and {@code clearDescriptors()}
 * (the descriptor cache, which {@code resetBeanIntrospectors()} leaves as it was) and applied by
 * {@code atlas patch apply}; the same two objects then refuse {@code class} in the new view, as
 * one made after the apply does. {@code atlas status} counts the objects rebuilt; after {@code
 * atlas patch rollback} the rebuilt objects stay rebuilt (the reply says so) while an object the
 * old view makes reads {@code class} again. The probes are JUnit 4 classes run by the corpus's
 * suite runner in that JVM; the objects are kept between runs in a class on its class path.
 */
class BeanIntrospectorsLiveIT {
    static final String KEPT = """
            package probe;
            public class Kept {
                public static org.apache.commons.beanutils.PropertyUtilsBean made;
            }
            """;
    static final String BEFORE = """
            package probe;
            import org.apache.commons.beanutils.PropertyUtils;
            import org.apache.commons.beanutils.PropertyUtilsBean;
            import org.junit.Test;
            import static org.junit.Assert.*;
            public class MadeBeforeTest {
                @Test public void anObjectMadeBeforeReadsTheClassProperty() throws Exception {
                    Kept.made = new PropertyUtilsBean();
                    assertSame(String.class, Kept.made.getProperty("x", "class"));
                }
                @Test public void theDefaultOneReadsIt() throws Exception {
                    assertSame(String.class, PropertyUtils.getProperty("x", "class"));
                }
            }
            """;
    static final String AFTER = """
            package probe;
            import org.apache.commons.beanutils.PropertyUtils;
            import org.apache.commons.beanutils.PropertyUtilsBean;
            import org.junit.Test;
            import static org.junit.Assert.*;
            public class RefusedAfterTest {
                static void refused(PropertyUtilsBean b) throws Exception {
                    try {
                        fail("class property read: " + b.getProperty("x", "class"));
                    } catch (NoSuchMethodException expected) {
                        assertTrue(expected.getMessage(), expected.getMessage().contains("Unknown property 'class'"));
                    }
                }
                @Test public void theObjectMadeBeforeIsRefused() throws Exception {
                    refused(Kept.made);
                    assertEquals(Boolean.FALSE, Kept.made.getProperty("x", "empty"));
                }
                @Test public void theDefaultOneIsRefused() throws Exception {
                    try {
                        fail("class property read: " + PropertyUtils.getProperty("x", "class"));
                    } catch (NoSuchMethodException expected) {
                        assertTrue(expected.getMessage(), expected.getMessage().contains("Unknown property 'class'"));
                    }
                }
                @Test public void anObjectMadeAfterIsRefused() throws Exception {
                    refused(new PropertyUtilsBean());
                }
            }
            """;
    static final String ROLLED_BACK = """
            package probe;
            import org.apache.commons.beanutils.PropertyUtilsBean;
            import org.junit.Test;
            import static org.junit.Assert.*;
            public class AfterRollbackTest {
                @Test public void theRebuiltObjectStaysRebuilt() throws Exception {
                    RefusedAfterTest.refused(Kept.made);
                }
                @Test public void anObjectTheOldViewMakesReadsTheClassPropertyAgain() throws Exception {
                    assertSame(String.class, new PropertyUtilsBean().getProperty("x", "class"));
                }
            }
            """;

    @Test
    void objectsMadeBeforeTheApplyRefuseTheClassPropertyOnceRebuilt(@TempDir Path tmp) throws Exception {
        LiveReleases releases = LiveReleases.of("commons-beanutils", "commons-beanutils", "1.9.3", "1.9.4");
        ReleaseClasspath old = releases.old();
        ReleaseClasspath fixed = releases.fixed();
        CliDriver cli = releases.cli();
        Path patch = tmp.resolve("beanutils.atlaspatch");
        String bean = "org.apache.commons.beanutils.PropertyUtilsBean";
        CliDriver.Build build = cli.build(old.jar(), fixed.jar(), fixed.testPath(), patch, tmp.resolve("build.log"),
                List.of("--rebuild-objects", bean + "#resetBeanIntrospectors()", "--rebuild-objects", bean + "#clearDescriptors()"));
        assertTrue(build.built(), () -> "refused: " + build.refusals() + "\n" + build.output());
        System.out.println("atlas patch build (" + build.millis() + " ms):\n" + build.output());
        assertTrue(build.notes().stream().anyMatch(n -> n.startsWith(bean + ": objects created before the apply: rebuilt at "
                + "their first use in the new view by re-running resetBeanIntrospectors(), then clearDescriptors()")), build::output);
        assertTrue(build.notes().stream().noneMatch(n -> n.contains("NOT rebuilt")), build::output);

        List<Path> compileCp = releases.oldCompilePath();
        Path kept = LiveReleases.probeJar(tmp.resolve("kept"), compileCp, "Kept", KEPT);
        compileCp.add(kept);
        Path before = LiveReleases.probeJar(tmp.resolve("before"), compileCp, "MadeBeforeTest", BEFORE);
        Path after = LiveReleases.probeJar(tmp.resolve("after"), compileCp, "RefusedAfterTest", AFTER);
        compileCp.add(after);
        Path rolledBack = LiveReleases.probeJar(tmp.resolve("rolled-back"), compileCp, "AfterRollbackTest", ROLLED_BACK);
        List<String> jvmArgs = List.of(ChildJvm.agentArgument(cli.agentJar(), "org.apache.commons.beanutils"),
                "-XX:+EnableDynamicAgentLoading", "--enable-native-access=ALL-UNNAMED");
        List<Path> cp = new ArrayList<>(List.of(old.jar(), kept, before, after, rolledBack));
        cp.addAll(old.testPath());
        Path runner = Path.of(CorpusMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (ChildJvm child = ChildJvm.start(tmp.resolve("jvm"), jvmArgs, runner, cp, Duration.ofMinutes(2))) {
            SuiteOutcome exploitable = child.run("before", List.of(before), List.of(), Duration.ofMinutes(2));
            assertEquals(2, exploitable.count("SUCCESSFUL"), () -> "1.9.3 reads the class property: " + exploitable.summary()
                    + " " + exploitable.outcomes());

            CliDriver.Apply apply = cli.apply(child.pid(), patch, tmp.resolve("apply.log"));
            assertTrue(apply.inEffect(), apply::text);
            System.out.println("atlas patch apply (" + apply.millis() + " ms):\n" + apply.text());
            assertTrue(apply.text().contains("Objects rebuilt (1;"), apply::text);
            assertTrue(apply.text().contains("old-view threads run the old code but share the objects, so they see the "
                    + "rebuilt state"), apply::text);
            assertFalse(apply.text().contains("NOT rebuilt"), apply::text);
            assertEquals("1", apply.fields().get("object-rebuilds"), apply.fields()::toString);

            SuiteOutcome fixedView = child.run("after", List.of(after), List.of(), Duration.ofMinutes(2));
            assertEquals(3, fixedView.count("SUCCESSFUL"), () -> "object made before: refused: " + fixedView.summary()
                    + " " + fixedView.outcomes());

            CliDriver.Apply status = cli.status(child.pid(), tmp.resolve("status.log"));
            System.out.println("atlas status:\n" + status.text());
            Matcher rebuilt = Pattern.compile("\\[(\\d+) object\\(s\\) rebuilt so far, 0 rebuild\\(s\\) threw").matcher(status.text());
            assertTrue(rebuilt.find(), status::text);
            assertTrue(Integer.parseInt(rebuilt.group(1)) >= 2, () -> "the object made before and the default one: "
                    + status.text());

            CliDriver.Apply rollback = cli.rollback(child.pid(), tmp.resolve("rollback.log"));
            assertTrue(rollback.inEffect(), rollback::text);
            System.out.println("atlas patch rollback:\n" + rollback.text());
            assertTrue(rollback.text().contains("Objects rebuilt by the patch STAY rebuilt"), rollback::text);
            SuiteOutcome back = child.run("rolled-back", List.of(rolledBack), List.of(), Duration.ofMinutes(2));
            assertEquals(2, back.count("SUCCESSFUL"), () -> "after the rollback: " + back.summary() + " " + back.outcomes());
        }
    }
}
