package dev.atlas.demo.load;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowRecorderTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long START = 1_000_000_000L;

    @Test
    void outcomesLandInTheWindowOfTheirIntendedTime() {
        WindowRecorder r = new WindowRecorder(START, 100 * MS, 3);
        // window 0: latencies 1..100 ms; window 1: one failure and one mixed answer; window 2 empty
        for (int i = 1; i <= 100; i++) {
            long intended = START + i * 10_000L; // all within the first 100 ms
            r.success(intended, intended + i * MS, i % 2 == 0 ? TagKind.OLD : TagKind.NEW);
        }
        long late = START + 150 * MS;
        r.failure(late);
        r.success(late, late + 5_000 * MS, TagKind.MIXED); // completes long after its window: still window 1
        List<WindowStats> w = r.windows();
        assertEquals(3, w.size());

        WindowStats w0 = w.get(0);
        assertEquals(0, w0.startMillis());
        assertEquals(100, w0.lengthMillis());
        assertEquals(100, w0.ok());
        assertEquals(0, w0.failed());
        assertEquals(new TagCounts(50, 50, 0, 0), w0.tags());
        assertEquals(50.0, w0.p50() / 1000.0, 0.1);
        assertEquals(99.0, w0.p99() / 1000.0, 0.1);
        assertEquals(100.0, w0.max() / 1000.0, 0.1);
        assertEquals(1000.0, w0.throughput(), 1e-9);

        WindowStats w1 = w.get(1);
        assertEquals(100, w1.startMillis());
        assertEquals(1, w1.ok());
        assertEquals(1, w1.failed());
        assertEquals(new TagCounts(0, 0, 1, 0), w1.tags());
        assertEquals(5000.0, w1.max() / 1000.0, 5.0);

        WindowStats w2 = w.get(2);
        assertEquals(0, w2.ok());
        assertEquals(0, w2.max());
        assertEquals(0, r.outOfRange());
    }

    @Test
    void outcomesOutsideTheRunAreCountedApart() {
        WindowRecorder r = new WindowRecorder(START, 100 * MS, 2);
        r.success(START - 1, START + MS, TagKind.OLD);
        r.failure(START + 200 * MS);
        assertEquals(2, r.outOfRange());
        assertTrue(r.windows().stream().allMatch(w -> w.ok() == 0 && w.failed() == 0));
    }

    @Test
    void summaryMergesHistogramsNotPercentiles() {
        WindowRecorder r = new WindowRecorder(START, 100 * MS, 2);
        // window 0: 99 fast requests (1 ms); window 1: 1 slow request (900 ms)
        for (int i = 0; i < 99; i++) {
            r.success(START + i * MS, START + i * MS + MS, TagKind.OLD);
        }
        r.success(START + 150 * MS, START + 1050 * MS, TagKind.NEW);
        LatencySummary s = LatencySummary.of(r.windows());
        assertEquals(100, s.ok());
        assertEquals(200, s.spanMillis());
        assertEquals(1.0, s.p50() / 1000.0, 0.01);
        assertEquals(900.0, s.max() / 1000.0, 1.0);
        assertEquals(900.0, s.p999() / 1000.0, 1.0);
        assertEquals(new TagCounts(99, 1, 0, 0), s.tags());
        assertEquals(500.0, s.throughput(), 1e-9);
        assertEquals(0, LatencySummary.of(List.of()).ok());
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new WindowRecorder(START, 1_500_000, 2));
        assertThrows(IllegalArgumentException.class, () -> new WindowRecorder(START, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> new WindowRecorder(START, MS, 0));
    }
}
