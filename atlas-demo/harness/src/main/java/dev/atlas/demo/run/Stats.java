package dev.atlas.demo.run;

import java.util.Arrays;

/** Order statistics over a handful of values (rounds, spans). */
final class Stats {
    private Stats() {
    }

    /**
     * The median of {@code values} (the mean of the two middle ones for an even count), or NaN
     * if there is none. Does not modify {@code values}.
     */
    static double median(double... values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return (v[(v.length - 1) / 2] + v[v.length / 2]) / 2.0;
    }
}
