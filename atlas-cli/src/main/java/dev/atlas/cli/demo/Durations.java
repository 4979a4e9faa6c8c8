package dev.atlas.cli.demo;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations on the command line and in the report: "200us", "1.5s", "300ms", "2m". */
public final class Durations {
    private static final Pattern SYNTAX = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|m)");

    private Durations() {
    }

    public static Duration parse(String text) {
        Matcher m = SYNTAX.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; expected a number and a unit"
                    + " (us, ms, s or m), e.g. 200us, 300ms, 1.5s, 2m");
        }
        long nanosPerUnit = switch (m.group(2)) {
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            default -> 60_000_000_000L;
        };
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** The shortest exact rendering in the units {@link #parse} reads, e.g. "1500ms". */
    public static String format(Duration d) {
        long n = d.toNanos();
        if (n % 60_000_000_000L == 0 && n != 0) return n / 60_000_000_000L + "m";
        if (n % 1_000_000_000L == 0) return n / 1_000_000_000L + "s";
        if (n % 1_000_000L == 0) return n / 1_000_000L + "ms";
        if (n % 1_000L == 0) return n / 1_000L + "us";
        return String.format(Locale.ROOT, "%.3fus", n / 1e3);
    }

    /** Picocli converter for duration options. */
    public static final class Converter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
