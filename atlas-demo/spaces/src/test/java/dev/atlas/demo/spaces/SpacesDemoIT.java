package dev.atlas.demo.spaces;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo end to end on small sizes: seven JVMs (server, client, stage 1, four stage 2s) really
 * share the space (and a Chronicle Map); the demo itself fails if a client lookup returns a
 * wrong value or the stage 2s see different trees. No figures are asserted (2 noisy cores).
 */
class SpacesDemoIT {
    @Test
    void runsEndToEndOnSmallSizes() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            SpacesDemo.main(new String[] {"--keys", "2000", "--nodes", "3000", "--lookups", "4000", "--rpc-lookups", "200", "--runs", "1"});
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        for (String row : new String[] {"Unix socket RPC", "loopback TCP RPC", "Chronicle Map", "Kryo", "Java serialisation",
                "hand-written binary", "thread switch between spaces", "lookup vs TCP", "huge pages: THP "}) {
            assertTrue(out.contains(row), "missing '" + row + "' in:\n" + out);
        }
    }

    @Test
    void badOptionsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpacesDemo.parse(new String[] {"--keys", "x"}));
        assertEquals("--keys 'x' is not a number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SpacesDemo.parse(new String[] {"--bogus", "1"}));
        assertTrue(e.getMessage().contains("'--bogus'") && e.getMessage().contains("--nodes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SpacesDemo.parse(new String[] {"--nodes", "0"}));
        assertTrue(e.getMessage().contains("--nodes 0"), e.getMessage());
    }

    @Test
    void dirIsTakenOutOfTheOptionsAndChecked(@TempDir Path tmp) {
        List<String> args = new ArrayList<>(List.of("--runs", "2", "--dir", tmp.toString(), "--aot"));
        assertEquals(tmp, SpacesDemo.dirOption(args));
        assertEquals(List.of("--runs", "2", "--aot"), args);
        assertEquals(2, SpacesDemo.parse(args.toArray(new String[0])).get("--runs"));
        List<String> none = new ArrayList<>(List.of("--runs", "2"));
        assertTrue(Files.isDirectory(SpacesDemo.dirOption(none)));
        assertEquals(List.of("--runs", "2"), none);
        List<String> missing = new ArrayList<>(List.of("--dir", tmp.resolve("absent").toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpacesDemo.dirOption(missing));
        assertTrue(e.getMessage().contains("absent") && e.getMessage().contains("not a directory"), e.getMessage());
        assertEquals(2, missing.size());   // unchanged
        e = assertThrows(IllegalArgumentException.class, () -> SpacesDemo.dirOption(new ArrayList<>(List.of("--dir"))));
        assertEquals("option --dir needs a directory", e.getMessage());
        String huge = SpacesDemo.hugePages(tmp);
        assertTrue(huge.startsWith("huge pages: THP ") && huge.contains(tmp + " is on ") && huge.contains("(huge="), huge);
    }

    @Test
    void aotIsAFlagWithoutValue() {
        assertEquals(0, SpacesDemo.parse(new String[] {"--runs", "2"}).get("--aot"));
        var opt = SpacesDemo.parse(new String[] {"--aot", "--runs", "2"});
        assertEquals(1, opt.get("--aot"));
        assertEquals(2, opt.get("--runs"));
    }
}
