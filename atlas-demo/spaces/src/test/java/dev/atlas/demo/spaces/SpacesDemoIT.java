package dev.atlas.demo.spaces;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

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
                "hand-written binary", "thread switch between spaces", "lookup vs TCP"}) {
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
    void aotIsAFlagWithoutValue() {
        assertEquals(0, SpacesDemo.parse(new String[] {"--runs", "2"}).get("--aot"));
        var opt = SpacesDemo.parse(new String[] {"--aot", "--runs", "2"});
        assertEquals(1, opt.get("--aot"));
        assertEquals(2, opt.get("--runs"));
    }
}
