package dev.atlas.bench;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The least-squares slope of samples, as the endurance harnesses report growth per cycle or
 * per run.
 *
 * <p>Thread safety: stateless.
 */
public final class LeastSquares {
    private LeastSquares() {
    }

    /**
     * The slope of {@code y} against {@code x} over {@code samples}; NaN when the samples hold
     * fewer than two distinct {@code x} (no slope can be told from them).
     */
    public static <T> double slope(List<T> samples, ToLongFunction<T> x, ToLongFunction<T> y) {
        double n = samples.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (T s : samples) {
            double xs = x.applyAsLong(s);
            double ys = y.applyAsLong(s);
            sx += xs;
            sy += ys;
            sxx += xs * xs;
            sxy += xs * ys;
        }
        double d = n * sxx - sx * sx;
        return d == 0 ? Double.NaN : (n * sxy - sx * sy) / d;
    }
}
