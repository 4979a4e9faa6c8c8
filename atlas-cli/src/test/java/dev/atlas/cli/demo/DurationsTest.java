package dev.atlas.cli.demo;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationsTest {

    @Test
    void parsesEveryUnit() {
        assertEquals(Duration.ofNanos(200_000), Durations.parse("200us"));
        assertEquals(Duration.ofMillis(300), Durations.parse("300ms"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
        assertEquals(Duration.ofMinutes(2), Durations.parse(" 2M "));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
    }

    @Test
    void rejectsAMissingUnitOrGarbage() {
        for (String bad : new String[] {"5", "", "ms", "-1s", "1h", "1.s", "1e3ms"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
            assertTrue(e.getMessage().contains("expected a number and a unit"), e::getMessage);
        }
    }

    @Test
    void formatsInTheLargestExactUnitAndRoundTrips() {
        assertEquals("200us", Durations.format(Duration.ofNanos(200_000)));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
        assertEquals("6s", Durations.format(Duration.ofSeconds(6)));
        assertEquals("10m", Durations.format(Duration.ofMinutes(10)));
        assertEquals("0s", Durations.format(Duration.ZERO));
        for (String s : new String[] {"200us", "1500ms", "6s", "10m"}) {
            assertEquals(s, Durations.format(Durations.parse(s)));
        }
    }
}
