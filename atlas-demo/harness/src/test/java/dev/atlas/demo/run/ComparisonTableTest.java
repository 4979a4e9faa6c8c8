package dev.atlas.demo.run;

import dev.atlas.demo.load.LoadRun;
import dev.atlas.demo.load.TagKind;
import dev.atlas.demo.load.WindowRecorder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table's rows and notes, on synthetic runs: the control run as the change window's baseline. */
class ComparisonTableTest {
    private static final DemoOptions OPTIONS = DemoOptions.defaults(Path.of("unused"));   // 8 s + 10 s, 2 s window
    private static final long T = 18_000;

    /** 30 s of load, one request per millisecond: 1 ms each, {@code changeMillis} in [T, T + 2 s). */
    private static LoadRun load(long changeMillis) {
        WindowRecorder r = new WindowRecorder(0, 250_000_000L, 120);
        for (long ms = 0; ms < 30_000; ms++) {
            long latency = ms >= T && ms < T + 2_000 ? changeMillis : 1;
            long intended = ms * 1_000_000L;
            r.success(intended, intended + latency * 1_000_000L, TagKind.OLD);
        }
        return new LoadRun(0, 1000, 30_000, 0, 0, 0, 0, r.windows());
    }

    private static ModeResult atlas(long changeMillis) {
        return ModeResult.of(new AtlasMode(), new ChangeOutcome("v2", Duration.ofMillis(100), Duration.ofMillis(100), null,
                List.of()), load(changeMillis), T, OPTIONS, Verification.UNKNOWN);
    }

    private static ModeResult control() throws Exception {
        ControlMode mode = new ControlMode(new AtlasMode());
        return ModeResult.of(mode, mode.applyChange(null), load(1), T, OPTIONS, Verification.UNKNOWN);
    }

    @Test
    void aModesChangeWindowIsSetBesideTheControlRunsWithNothingApplied() throws Exception {
        String table = new DemoReport(OPTIONS, List.of(control(), atlas(2)), Path.of("chart.png"), true).table();

        assertTrue(Pattern.compile("(?m)^control +steady +1\\.00 ").matcher(table).find(), table);
        assertTrue(Pattern.compile("(?m)^control +nothing \\(control\\) +- +- +n/a ").matcher(table).find(), table);
        Matcher m = Pattern.compile("(?s)  atlas: .*?against the control run \\(nothing applied at T\\): change-window p99\\.9"
                + " ([0-9.]+) ms vs ([0-9.]+) ms; ratio to steady x([0-9.]+) vs x([0-9.]+)").matcher(table);
        assertTrue(m.find(), table);
        assertEquals(2.0, Double.parseDouble(m.group(1)), 0.01);
        assertEquals(1.0, Double.parseDouble(m.group(2)), 0.01);
        assertEquals(2.0, Double.parseDouble(m.group(3)), 0.01);
        assertEquals(1.0, Double.parseDouble(m.group(4)), 0.01);
        assertEquals(1, table.split("against the control run", -1).length - 1, "only the atlas mode is set beside it:\n" + table);
    }

    @Test
    void withoutAControlRunThereIsNoBaselineLine() {
        String table = new DemoReport(OPTIONS, List.of(atlas(2)), Path.of("chart.png"), true).table();

        assertFalse(table.contains("against the control run"), table);
        assertTrue(table.contains("change-window p99.9 = 2.00x the steady p99.9"), table);
    }
}
