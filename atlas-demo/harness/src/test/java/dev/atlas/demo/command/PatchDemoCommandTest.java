package dev.atlas.demo.command;

import dev.atlas.cli.CliRun;
import dev.atlas.demo.run.DemoOptions;
import dev.atlas.testsupport.layout.StartsNoProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code atlas demo}: options, help and the environment check (nothing is started here; see PatchDemoEndToEndIT). */
@StartsNoProcess("help, option parsing and a checkout without builds, which the command refuses before starting a JVM")
class PatchDemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void helpListsEveryOptionAndTheRuntimeDemo() {
        CliRun r = CliRun.of(PatchDemoCommand.commandLine(), "--help");

        assertEquals(0, r.exitCode(), r::toString);
        for (String option : new String[] {"--quick", "--modes", "--rounds", "--png", "--out", "--rate", "--warmup", "--steady",
                "--after", "--change-window", "--connections", "--root"}) {
            assertTrue(r.out().contains(option), option + " missing:\n" + r.out());
        }
        assertTrue(r.out().contains("atlas    Atlas wait-free live patching"), r.out());
        assertTrue(r.out().contains("control  the Atlas mode's service and warm-up with nothing applied at T"), r.out());
        assertTrue(r.out().contains("runtime "), r.out());
    }

    @Test
    void optionsOverrideTheQuickScenarioAndTheChartGoesUnderTheRepositoryByDefault() {
        CommandLine cl = PatchDemoCommand.commandLine();
        cl.parseArgs("--quick", "--rate", "250", "--after", "5s", "--connections", "8");
        PatchDemoCommand demo = cl.getCommand();

        DemoOptions o = demo.options(tmp);

        DemoOptions quick = DemoOptions.quick(tmp);
        assertEquals(250, o.rate());
        assertEquals(quick.warmup(), o.warmup());
        assertEquals(quick.steady(), o.steady());
        assertEquals(Duration.ofSeconds(5), o.after());
        assertEquals(8, o.connections());
        assertEquals(tmp.resolve("target/atlas-demo"), o.workDir());
        assertEquals(tmp.resolve("target/atlas-demo/latency.png"), o.png());
    }

    @Test
    void withoutOptionsItIsTheFullDemo() {
        CommandLine cl = PatchDemoCommand.commandLine();
        cl.parseArgs("--png", tmp.resolve("x.png").toString());
        PatchDemoCommand demo = cl.getCommand();

        DemoOptions o = demo.options(tmp);

        DemoOptions full = DemoOptions.defaults(tmp.resolve("target/atlas-demo"));
        assertEquals(full.withPng(tmp.resolve("x.png")), o);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --modes|atlas,foo|Invalid value for option '--modes': 'foo'; expected a comma-separated list of control, atlas, hotswap, restart
            --rate|0|Invalid value for option '--rate': 0; expected a whole number of requests per second from 1 to 100000
            --rate|fast|Invalid value for option '--rate': 'fast' is not an int
            --warmup|100ms|Invalid value for option '--warmup': 100ms; expected a duration from 250ms to 10m
            --after|1s|Invalid value for option '--after': 1s; expected at least the change window plus 250ms (2250ms)
            --connections|0|Invalid value for option '--connections': 0; expected a whole number from 1 to 1024
            --rounds|0|Invalid value for option '--rounds': 0; expected a whole number from 1 to 50
            --rounds|51|Invalid value for option '--rounds': 51; expected a whole number from 1 to 50
            """)
    void badOptionValuesAreUsageErrorsAndNothingRuns(String option, String value, String message) {
        CliRun r = CliRun.of(PatchDemoCommand.commandLine(), option, value);

        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains(message), r::toString);
        assertTrue(r.err().contains("Try 'atlas demo --help'"), r::toString);
        assertEquals("", r.out(), "nothing runs:\n" + r);
    }

    @Test
    void aCheckoutWithoutBuildsNamesEveryMissingBuildAndStartsNothing() {
        Path empty = tmp.resolve("empty-checkout");

        CliRun r = CliRun.of(PatchDemoCommand.commandLine(), "--root", empty.toString(), "--modes", "atlas,hotswap");

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("the patch demo cannot run here"), r::toString);
        assertTrue(r.err().contains("service build v1 not found at "
                + empty.resolve("atlas-demo/service-v1/target/atlas-demo-service-v1.jar")), r::toString);
        assertTrue(r.err().contains("service build v2 not found at "), r::toString);
        assertTrue(r.err().contains("atlas mode: the Atlas agent jar not found at "
                + empty.resolve("atlas-patch/agent/target/atlas-agent.jar")), r::toString);
        assertTrue(r.err().contains("hotswap mode: the HotSwap agent jar not found at "), r::toString);
        assertTrue(r.err().contains("Nothing was started."), r::toString);
        assertEquals("", r.out(), r::toString);
        assertFalse(Files.exists(empty.resolve("target/atlas-demo/latency.png")));
    }
}
