package dev.atlas.demo.runtime;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatencyStatsTest {

    @Test
    void nearestRankPercentilesOfUnsortedInput() {
        long[] oneToHundred = LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray();
        LatencyStats s = LatencyStats.of(oneToHundred, Duration.ofSeconds(2));
        assertEquals(100, s.count());
        assertEquals(50.0, s.perSecond());
        assertEquals(50, s.p50Nanos());
        assertEquals(99, s.p99Nanos());
        assertEquals(100, s.maxNanos());
        assertEquals(100, oneToHundred[0], "input left as it was");
    }

    @Test
    void emptyWindowIsAllZero() {
        LatencyStats s = LatencyStats.of(new long[0], Duration.ofSeconds(1));
        assertEquals(new LatencyStats(0, 0.0, 0, 0, 0), s);
    }

    @Test
    void singleValue() {
        LatencyStats s = LatencyStats.of(new long[] {7}, Duration.ofSeconds(1));
        assertEquals(7, s.p50Nanos());
        assertEquals(7, s.p99Nanos());
        assertEquals(7, s.maxNanos());
    }
}
