package dev.atlas.demo.runtime;

import java.time.Duration;
import java.util.Locale;

/** Number formatting for the report (locale-independent, ASCII only). */
final class Fmt {
    private Fmt() {
    }

    /** Microseconds, with one decimal below 100 us: "12.3", "4,567". */
    static String micros(long nanos) {
        return nanos < 100_000 ? String.format(Locale.ROOT, "%.1f", nanos / 1e3)
                : String.format(Locale.ROOT, "%,d", nanos / 1_000);
    }

    static String micros(Duration d) {
        return micros(d.toNanos());
    }

    /** Milliseconds with three decimals: "281.004". */
    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    static String millis(Duration d) {
        return millis(d.toNanos());
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
