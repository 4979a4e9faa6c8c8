package dev.atlas.demo.run;

import dev.atlas.demo.load.WindowStats;
import dev.atlas.demo.plot.LatencyPlot;
import dev.atlas.demo.plot.Series;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo's chart: p99.9 latency per window against seconds from the change, one line per
 * mode that ran, the change at x = 0, a cross along the top for each window with failed
 * requests (their latency is not in the line). Warm-up windows are left out.
 */
final class LatencyChart {
    private static final Map<String, Color> COLORS = Map.of(
            "atlas", new Color(0x2E7D32), "hotswap", new Color(0xEF6C00), "restart", new Color(0xC62828),
            ComparisonTable.CONTROL, new Color(0x757575));
    private static final Color[] OTHERS = {new Color(0x1565C0), new Color(0x6A1B9A), new Color(0x00838F)};

    private final DemoOptions options;

    LatencyChart(DemoOptions options) {
        this.options = options;
    }

    /** Writes the chart to {@code options.png()}; false if it has no text (no font). */
    boolean write(List<ModeResult> results) throws IOException {
        List<Series> series = new ArrayList<>();
        int other = 0;
        for (ModeResult r : results) {
            if (!r.ran()) {
                continue;
            }
            List<WindowStats> shown = r.load().windows().stream()
                    .filter(w -> w.startMillis() >= options.warmup().toMillis()).toList();
            double[] x = new double[shown.size()];
            double[] y = new double[shown.size()];
            boolean[] failed = new boolean[shown.size()];
            for (int i = 0; i < shown.size(); i++) {
                WindowStats w = shown.get(i);
                x[i] = (w.startMillis() + w.lengthMillis() / 2.0 - r.changeAtMillis()) / 1000.0;
                y[i] = w.ok() == 0 ? 0 : w.p999() / 1000.0;
                failed[i] = w.failed() > 0;
            }
            Color color = COLORS.getOrDefault(r.mode(), OTHERS[other++ % OTHERS.length]);
            series.add(new Series(r.mode(), color, x, y, failed));
        }
        LatencyPlot plot = new LatencyPlot(
                "p99.9 latency per " + options.window().toMillis() + " ms window, " + options.rate() + " req/s",
                "seconds from the change (T = 0)", "p99.9 latency (ms, log scale)", 1200, 600)
                .flagLegend("failed requests");
        return plot.write(options.png(), series, 0.0, "change applied (T)");
    }
}
