package dev.atlas.cli;

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
    void readsFractionsExactlyDownToTheNanosecond() {
        assertEquals(Duration.ofSeconds(90), Durations.parse("1.5m"));
        assertEquals(Duration.ofNanos(2_500), Durations.parse("2.5us"));
        assertEquals(Duration.ofNanos(1), Durations.parse("0.000000001s"));
        assertEquals(Duration.ofNanos(6), Durations.parse("0.0000000001m"));
        assertEquals(Duration.ofMillis(250), Durations.parse("0.250000000000000000000s"));
        assertEquals(Duration.ofMillis(300), Durations.parse("300 MS"));
    }

    @Test
    void refusesWhatIsFinerThanANanosecondOrTooLong() {
        for (String fine : new String[] {"0.0005us", "0.0000000001s", "0.00000000001m", "1.0000000000001s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(fine), fine);
            assertTrue(e.getMessage().contains("'" + fine + "' is finer than a nanosecond"), e::getMessage);
        }
        assertEquals(Duration.ofNanos(Long.MAX_VALUE), Durations.parse(Long.MAX_VALUE / 1000 + ".807us"));
        for (String tooLong : new String[] {"9223372036854775808us", "99999999999999999999999s", "153722867.5m"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(tooLong), tooLong);
            assertTrue(e.getMessage().contains("'" + tooLong + "' is too long a duration"), e::getMessage);
            // the limit the message names is itself accepted
            String limit = e.getMessage().replaceAll(".*expected at most (\\S+).*", "$1");
            assertTrue(Durations.parse(limit).toNanos() > 0, limit);
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
