package dev.atlas.demo.plot;

import java.awt.Color;
import java.util.Arrays;

/**
 * One line of a {@link LatencyPlot}: points {@code (x[i], y[i])}, drawn in order. A point
 * whose y is not positive (no data, or nothing to show on a log axis) breaks the line.
 *
 * @param label legend text
 * @param color line colour
 * @param x     x values (seconds)
 * @param y     y values (milliseconds), as many as x
 */
public record Series(String label, Color color, double[] x, double[] y) {
    public Series {
        if (x.length != y.length) {
            throw new IllegalArgumentException("series '" + label + "' has " + x.length + " x values and " + y.length
                    + " y values; expected as many of each");
        }
        x = Arrays.copyOf(x, x.length);
        y = Arrays.copyOf(y, y.length);
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
