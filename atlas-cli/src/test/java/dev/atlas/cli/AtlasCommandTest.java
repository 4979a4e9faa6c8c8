package dev.atlas.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtlasCommandTest {

    @Test
    void helpListsTheDemoSubcommand() {
        CliRun r = CliRun.atlas("--help");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("Usage: atlas"), r::toString);
        assertTrue(r.out().contains("demo"), r::toString);
    }

    @Test
    void demoIsThePatchDemoAndRuntimeIsItsSubcommand() {
        CliRun r = CliRun.atlas("demo", "--help");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("Usage: atlas demo"), r::toString);
        assertTrue(r.out().contains("--modes"), r::toString);
        assertTrue(r.out().contains("runtime"), r::toString);

        CliRun runtime = CliRun.atlas("demo", "runtime", "--help");
        assertEquals(0, runtime.exitCode(), runtime::toString);
        assertTrue(runtime.out().contains("Usage: atlas demo runtime"), runtime::toString);
        assertTrue(runtime.out().contains("--virtual-threads"), runtime::toString);
    }

    @Test
    void versionNamesAtlasAndJava() {
        CliRun r = CliRun.atlas("--version");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().startsWith("atlas "), r::toString);
        assertTrue(r.out().contains("Java "), r::toString);
    }

    @Test
    void noSubcommandIsAUsageError() {
        CliRun r = CliRun.atlas();
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("Missing subcommand"), r::toString);
        assertTrue(r.err().contains("atlas --help"), r::toString);
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        CliRun r = CliRun.atlas("frobnicate");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("'frobnicate'"), r::toString);
    }

    @Test
    void unknownSubcommandWithHelpIsAUsageErrorNamingIt() {
        CliRun r = CliRun.atlas("frobnicate", "--help");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("'frobnicate'"), r::toString);
        assertTrue(!r.out().contains("Usage: atlas"), r::toString);
    }

    @Test
    void attachRefusesAnOptionSmuggledIntoAPatternList() {
        CliRun r = CliRun.atlas("attach", "1", "--include", "x,bogus=1");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("unknown option 'bogus'"), r::toString);
    }
}
