package dev.atlas.demo.runtime;

import dev.atlas.cli.CliRun;
import dev.atlas.demo.command.PatchDemoCommand;
import dev.atlas.testsupport.layout.StartsNoProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs {@code atlas demo runtime} through picocli. Asserts what the demo checks, never timings. */
@StartsNoProcess("runs the subcommand 'runtime' (in this JVM); picocli never calls PatchDemoCommand.call, which starts the patch demo's JVMs")
class RuntimeDemoTest {

    @Test
    void quickDemoMigratesEveryThreadWithoutMixingVersionsAndRetiresTheOldView() {
        // a generous timeout: the test asserts what happens, not how fast (2 shared cores)
        CliRun r = CliRun.of(new CommandLine(new PatchDemoCommand()), "runtime", "--quick", "--timeout", "5m");

        assertEquals(0, r.exitCode(), r::toString);
        String out = r.out();
        assertTrue(out.contains("[ok]   mixed-version requests: 0 (of "), out);
        // 4 pool workers + 2 idle workers + 50 virtual threads + 1 long-request thread
        assertTrue(out.contains("[ok]   all threads migrated: 57 of 57 moved to v2"), out);
        assertTrue(out.contains("[ok]   view 1 'v1' RETIRED, its cleanup action ran"), out);
        assertTrue(out.contains("VERDICT: PASS"), out);
        assertTrue(out.contains("vthread-* (50)     virtual        50 MIGRATED"), out);
        assertTrue(out.contains("long-request       long request   MIGRATED"), out);
        assertTrue(out.contains("space 'demo'"), "final description printed:\n" + out);
        assertEquals("", r.err(), r::toString);
    }

    @Test
    void aMigrationThatMissesItsTimeoutFailsTheDemoWithExitCode1() {
        // The long request (300ms) cannot reach a quiescence point within 100ms.
        CliRun r = CliRun.of(PatchDemoCommand.commandLine(), "runtime", "--quick", "--timeout", "100ms", "--virtual-threads", "5");

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.out().contains("[FAIL] migration not complete after 100ms"), r::toString);
        assertTrue(r.out().contains("VERDICT: FAIL"), r::toString);
        assertTrue(r.out().contains("\"long-request\""), "the straggler is named:\n" + r.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --workers|0|Invalid value for option '--workers': 0; expected a whole number from 1 to 256
            --workers|-3|Invalid value for option '--workers': -3; expected a whole number from 1 to 256
            --virtual-threads|-1|Invalid value for option '--virtual-threads': -1; expected a whole number from 0 to
            --duration|100ms|Invalid value for option '--duration': 100ms; expected a duration from 1s to 10m
            --duration|5|Invalid value for option '--duration': '5' is not a duration; expected a number and a unit
            --work|1s|Invalid value for option '--work': 1s; expected a duration from 1us to 100ms
            --workers|many|Invalid value for option '--workers': 'many' is not an int
            """)
    void badOptionValuesAreUsageErrorsNamingTheValueAndWhatWasExpected(String option, String value, String message) {
        CliRun r = CliRun.of(new CommandLine(new PatchDemoCommand()), "runtime", option, value);

        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains(message), r::toString);
        assertEquals("", r.out(), "nothing runs:\n" + r);
    }

    @Test
    void theShortErrorHandlerPointsToTheHelp() {
        CliRun r = CliRun.of(PatchDemoCommand.commandLine(), "runtime", "--workers=0");

        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("'--workers': 0; expected a whole number from 1 to 256"), r::toString);
        assertTrue(r.err().contains("Try 'atlas demo runtime --help' for more information."), r::toString);
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRun r = CliRun.of(PatchDemoCommand.commandLine(), "runtime", "--wrokers", "3");

        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("'--wrokers'"), r::toString);
    }
}
