package dev.atlas.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtlasCommandTest {

    @Test
    void helpListsTheOperatorsSubcommands() {
        CliRun r = CliRun.atlas("--help");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("Usage: atlas"), r::toString);
        for (String sub : new String[] {"patch", "status", "attach"}) {
            assertTrue(r.out().contains(sub), sub + " missing:\n" + r);
        }
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
