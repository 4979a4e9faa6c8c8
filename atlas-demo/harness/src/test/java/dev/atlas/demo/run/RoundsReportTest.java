package dev.atlas.demo.run;

import dev.atlas.demo.load.LoadRun;
import dev.atlas.demo.load.TagKind;
import dev.atlas.demo.load.WindowRecorder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Medians over rounds, the representative round, and Atlas against its target and the control, on synthetic runs. */
class RoundsReportTest {
    private static final DemoOptions OPTIONS = DemoOptions.defaults(Path.of("out"));   // 8 s + 10 s, 2 s window
    private static final long T = 18_000;

    /** 30 s of load, one request per millisecond: {@code steadyMillis} each, {@code changeMillis} in [T, T + 2 s). */
    private static LoadRun load(long steadyMillis, long changeMillis) {
        WindowRecorder r = new WindowRecorder(0, 250_000_000L, 120);
        for (long ms = 0; ms < 30_000; ms++) {
            long latency = ms >= T && ms < T + 2_000 ? changeMillis : steadyMillis;
            long intended = ms * 1_000_000L;
            r.success(intended, intended + latency * 1_000_000L, TagKind.OLD);
        }
        return new LoadRun(0, 1000, 30_000, 0, 0, 0, 0, r.windows());
    }

    private static ModeResult atlas(long steadyMillis, long changeMillis) {
        return ModeResult.of(new AtlasMode(), new ChangeOutcome("v2", Duration.ofMillis(60), Duration.ofMillis(60), null,
                List.of()), load(steadyMillis, changeMillis), T, OPTIONS, Verification.UNKNOWN);
    }

    private static ModeResult control(long steadyMillis, long changeMillis) throws Exception {
        ControlMode mode = new ControlMode(new AtlasMode());
        return ModeResult.of(mode, mode.applyChange(null), load(steadyMillis, changeMillis), T, OPTIONS, Verification.UNKNOWN);
    }

    private static DemoReport round(int k, ModeResult... modes) {
        return new DemoReport(OPTIONS.inRound(k), List.of(modes), OPTIONS.inRound(k).png(), true);
    }

    @Test
    void theRepresentativeRoundIsAtlassMedianRatioNotTheControls() throws Exception {
        // Atlas ratios x3, x1, x2 (median: round 3); the control's x1, x4, x2 would pick round 1
        List<DemoReport> rounds = List.of(round(1, control(2, 2), atlas(2, 6)), round(2, control(2, 8), atlas(4, 4)),
                round(3, control(2, 4), atlas(3, 6)));

        assertEquals(2, RoundsReport.medianRoundOf(rounds));
        assertEquals(1, RoundsReport.medianRoundOf(rounds.subList(0, 2)), "even count: the lower middle (x1 of x1, x3)");
        assertEquals(0, RoundsReport.medianRoundOf(List.of(round(1, control(2, 2)), round(2, control(2, 8)))),
                "without Atlas the first mode that ran stands in (x1, x4: the lower middle)");
    }

    @Test
    void theSummaryGivesMediansRangesTheTargetAndTheDifferenceToTheControlOfTheSameRound() throws Exception {
        // steady 2 ms everywhere; Atlas's change windows 2, 3, 4 ms (x1.0, x1.5, x2.0), the control's 2, 2, 2 ms
        List<DemoReport> rounds = List.of(round(1, control(2, 2), atlas(2, 2)), round(2, control(2, 2), atlas(2, 4)),
                round(3, control(2, 2), atlas(2, 3)));
        RoundsReport report = new RoundsReport(OPTIONS, rounds, RoundsReport.medianRoundOf(rounds), OPTIONS.png());

        String table = report.table();

        assertEquals(2, report.medianRound(), table);
        assertTrue(table.contains("Patch demo repeated: 3 round(s) of control, atlas"), table);
        assertTrue(Pattern.compile("(?m)^atlas +3  3\\.00 \\(2\\.00\\.\\.4\\.00\\) +x1\\.50 \\(x1\\.00\\.\\.x2\\.00\\) +x1\\.50 +1 of 3 +60 ms +0 +0$")
                .matcher(table).find(), table);
        assertTrue(Pattern.compile("(?m)^control +3  2\\.00 \\(2\\.00\\.\\.2\\.00\\) +x1\\.00 \\(x1\\.00\\.\\.x1\\.00\\) +x1\\.00 +3 of 3 +- +0 +0$")
                .matcher(table).find(), table);
        assertTrue(table.contains("  round 2: control 2.00 x1.00, atlas 4.00 x2.00\n"), table);
        assertTrue(table.contains("  round 3: control 2.00 x1.00, atlas 3.00 x1.50   (representative round, in full below)"), table);
        assertTrue(table.contains("median x1.50 over 3 round(s): NOT met in median; met in 1 of 3 round(s)."), table);
        assertTrue(table.contains("change-window p99.9 +1.00 ms in median (+0.00 to +2.00 ms);"
                + " ratio to steady above the control's in 2 of 3 round(s)."), table);
        assertTrue(table.contains("Round 3 in full (the median round of atlas"), table);
        assertTrue(Pattern.compile("(?m)^atlas +steady +2\\.00 ").matcher(table).find(), "round 3's own table:\n" + table);
    }

    @Test
    void aRoundDirectoryPerRoundAndNoRoundZero() {
        DemoOptions second = OPTIONS.inRound(2);

        assertEquals(Path.of("out", "round-2"), second.workDir());
        assertEquals(Path.of("out", "round-2", "latency.png"), second.png());
        assertEquals(OPTIONS.rate(), second.rate());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OPTIONS.inRound(0));
        assertEquals("round is 0, expected 1 or more", e.getMessage());
    }
}
