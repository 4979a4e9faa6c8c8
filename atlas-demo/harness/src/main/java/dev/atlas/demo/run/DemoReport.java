package dev.atlas.demo.run;

import java.nio.file.Path;
import java.util.List;

/**
 * The demo's results.
 *
 * @param options  what was run
 * @param modes    one result per mode, in the order run
 * @param png      the chart
 * @param chartLabelled false if the chart was written without text (no font in this JVM)
 */
public record DemoReport(DemoOptions options, List<ModeResult> modes, Path png, boolean chartLabelled) {
    public DemoReport {
        modes = List.copyOf(modes);
    }

    /** The side-by-side table ({@link ComparisonTable}). */
    public String table() {
        return ComparisonTable.render(this);
    }
}
