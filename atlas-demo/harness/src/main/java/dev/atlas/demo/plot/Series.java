package dev.atlas.demo.plot;

import java.awt.Color;
import java.util.Arrays;

/**
 * One line of a {@link LatencyPlot}: points {@code (x[i], y[i])}, drawn in order. A point
 * whose y is not positive (no data, or nothing to show on a log axis) breaks the line. A
 * flagged point (e.g. a window with failed requests) gets a cross along the top of the chart.
 *
 * @param label   legend text
 * @param color   line colour
 * @param x       x values (seconds)
 * @param y       y values (milliseconds), as many as x
 * @param flagged points to mark with a cross, as many as x
 */
public record Series(String label, Color color, double[] x, double[] y, boolean[] flagged) {
    public Series {
        if (x.length != y.length || x.length != flagged.length) {
            throw new IllegalArgumentException("series '" + label + "' has " + x.length + " x values, " + y.length
                    + " y values and " + flagged.length + " flags; expected as many of each");
        }
        x = Arrays.copyOf(x, x.length);
        y = Arrays.copyOf(y, y.length);
        flagged = Arrays.copyOf(flagged, flagged.length);
    }

    /** A series with no flagged point. */
    public Series(String label, Color color, double[] x, double[] y) {
        this(label, color, x, y, new boolean[x.length]);
    }

    @Override
    public boolean[] flagged() {
        return Arrays.copyOf(flagged, flagged.length);
    }

    boolean flaggedAt(int i) {
        return flagged[i];
    }

    @Override
    public double[] x() {
        return Arrays.copyOf(x, x.length);
    }

    @Override
    public double[] y() {
        return Arrays.copyOf(y, y.length);
    }

    int size() {
        return x.length;
    }

    double xAt(int i) {
        return x[i];
    }

    double yAt(int i) {
        return y[i];
    }
}
