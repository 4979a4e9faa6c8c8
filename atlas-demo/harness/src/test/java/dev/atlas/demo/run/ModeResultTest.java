package dev.atlas.demo.run;

import dev.atlas.demo.load.LoadRun;
import dev.atlas.demo.load.TagKind;
import dev.atlas.demo.load.WindowRecorder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a run is split into steady, change and after phases around T. */
class ModeResultTest {
    private static final DemoOptions OPTIONS = DemoOptions.defaults(Path.of("unused"));   // 8 s + 10 s, 2 s window, 250 ms
    private static final long T = 18_000;

    /** 30 s of load, one request per millisecond. */
    private static LoadRun load() {
        WindowRecorder r = new WindowRecorder(0, 250_000_000L, 120);
        for (long ms = 0; ms < 30_000; ms++) {
            long intended = ms * 1_000_000L;
            r.success(intended, intended + 1_000_000L, TagKind.OLD);
        }
        return new LoadRun(0, 1000, 30_000, 0, 0, 0, 0, r.windows());
    }

    private static ChangeOutcome outcome(Duration inEffect, Duration allMigrated) {
        return new ChangeOutcome("v2", inEffect, allMigrated, null, List.of());
    }

    @Test
    void aQuickChangeIsMeasuredOverTheChangeWindow() {
        ModeResult r = ModeResult.of(new Named(), outcome(Duration.ofMillis(390), Duration.ofMillis(390)), load(), T, OPTIONS,
                null);
        assertEquals(10_000, r.steady().ok(), "8 s to 18 s");
        assertEquals(2_000, r.change().ok(), "T to T + 2 s");
        assertEquals(10_000, r.afterChange().ok());
        assertEquals(5, r.steadySpans().size(), "10 s of steady load in spans of 2 s");
        r.steadySpans().forEach(s -> assertEquals(2_000, s.ok()));
    }

    /** A change still settling at T + 2 s is not counted as "after": the window lasts to 1 s after it settled. */
    @Test
    void aSlowChangeStretchesTheChangeWindowToASecondAfterItSettled() {
        ModeResult r = ModeResult.of(new Named(), outcome(Duration.ofMillis(400), Duration.ofMillis(2_600)), load(), T,
                OPTIONS, null);
        assertEquals(3_750, r.change().ok(), "T to T + 3.6 s, in whole 250 ms windows");
        assertEquals(8_250, r.afterChange().ok());
        assertEquals(2, r.steadySpans().size(), "40 steady windows in spans of 15, the rest dropped");
        assertEquals(3_600, ModeResult.settledMillis(outcome(null, Duration.ofMillis(3_600))));
        assertEquals(0, ModeResult.settledMillis(null));
        assertEquals(700, ModeResult.settledMillis(new ChangeOutcome("x", Duration.ofMillis(500), null, Duration.ofMillis(700),
                List.of())));
    }

    /** Steady spans of 1, 2, 3, 4 and 5 ms (in an order that is not sorted), a change window at 6 ms. */
    @Test
    void theMedianSteadySpanIsTheMiddleSpansTail() {
        long[] spanMillis = {4, 1, 5, 2, 3};
        WindowRecorder rec = new WindowRecorder(0, 250_000_000L, 120);
        for (long ms = 0; ms < 30_000; ms++) {
            long latencyMillis = ms >= 8_000 && ms < 18_000 ? spanMillis[(int) ((ms - 8_000) / 2_000)] : 6;
            long intended = ms * 1_000_000L;
            rec.success(intended, intended + latencyMillis * 1_000_000L, TagKind.OLD);
        }
        LoadRun run = new LoadRun(0, 1000, 30_000, 0, 0, 0, 0, rec.windows());
        ModeResult r = ModeResult.of(new Named(), outcome(Duration.ofMillis(390), Duration.ofMillis(390)), run, T, OPTIONS,
                null);
        assertEquals(3_000, r.medianSteadySpanP999(), 5, "the p99.9 of the 3 ms span, within the histogram's precision");
        assertEquals(2.0, r.change().p999() / r.medianSteadySpanP999(), 0.01);
        assertEquals(-1, ModeResult.of(new Named(), null, run, 9_000, OPTIONS, null).medianSteadySpanP999(),
                "a steady phase (8 s to 9 s) shorter than the change window has no span");
    }

    private static final class Named implements PatchMode {
        @Override
        public String name() {
            return "test";
        }

        @Override
        public String description() {
            return "a mode for the test";
        }

        @Override
        public Optional<String> unavailable(DemoArtifacts artifacts) {
            return Optional.empty();
        }

        @Override
        public List<String> serviceJvmOptions(DemoArtifacts artifacts, Ports ports) {
            return List.of();
        }

        @Override
        public ChangeOutcome applyChange(ServiceControl service) {
            throw new UnsupportedOperationException();
        }
    }
}
