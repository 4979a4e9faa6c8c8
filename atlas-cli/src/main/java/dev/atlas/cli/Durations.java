package dev.atlas.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.Locale;

/**
 * Durations on the command line and in the report: "200us", "1.5s", "300ms", "2m".
 *
 * <p>Implementation notes: {@link #parse} is plain long arithmetic, no regex and no
 * {@code BigDecimal}. It runs in the operator's JVM at the moment a patch is applied
 * ({@code atlas patch apply --timeout 30s}), and {@code BigDecimal}'s class initialiser in
 * JDK 25 computes 5<sup>2<sup>16</sup></sup> (16-25 ms of CPU, then about 90 ms of C2
 * compilations of {@code BigInteger}, measured in the patch demo with JFR), on a machine
 * whose request latency is being measured.
 */
public final class Durations {
    private static final String EXPECTED = "expected a number and a unit (us, ms, s or m), e.g. 200us, 300ms, 1.5s, 2m";

    private Durations() {
    }

    /**
     * Reads a duration: digits, optionally a fraction, optional blanks, a unit (any case).
     *
     * @throws IllegalArgumentException naming {@code text} if it is not such a duration, is finer
     *                                  than a nanosecond, or is longer than {@link Long#MAX_VALUE} ns
     */
    public static Duration parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        int i = 0;
        long whole = 0;
        boolean overflow = false;
        int wholeStart = i;
        while (i < t.length() && isDigit(t.charAt(i))) {
            long next = whole * 10 + (t.charAt(i++) - '0');
            overflow |= next < whole || whole > Long.MAX_VALUE / 10;
            whole = next;
        }
        if (i == wholeStart) {
            throw notADuration(text);
        }
        long fraction = 0;
        int fractionDigits = 0;
        if (i < t.length() && t.charAt(i) == '.') {
            int fractionStart = ++i;
            int lastNonZero = i;
            while (i < t.length() && isDigit(t.charAt(i))) {
                if (t.charAt(i++) != '0') {
                    lastNonZero = i;
                }
            }
            if (i == fractionStart) {
                throw notADuration(text);
            }
            fractionDigits = lastNonZero - fractionStart;    // trailing zeros dropped
            if (fractionDigits > 12) {
                throw finerThanANanosecond(text);
            }
            for (int k = fractionStart; k < lastNonZero; k++) {
                fraction = fraction * 10 + (t.charAt(k) - '0');
            }
        }
        while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
            i++;
        }
        long nanosPerUnit = switch (t.substring(i)) {
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> throw notADuration(text);
        };
        // fraction / 10^fractionDigits of a unit, in nanoseconds: exact or refused (fraction < 10^12)
        long scale = 1;
        for (int k = 0; k < fractionDigits; k++) {
            scale *= 10;
        }
        long fractionNanosTimesScale = fraction * (nanosPerUnit / gcd(nanosPerUnit, scale));
        long divisor = scale / gcd(nanosPerUnit, scale);
        if (fractionNanosTimesScale % divisor != 0) {
            throw finerThanANanosecond(text);
        }
        try {
            if (overflow) {
                throw new ArithmeticException();
            }
            return Duration.ofNanos(Math.addExact(Math.multiplyExact(whole, nanosPerUnit), fractionNanosTimesScale / divisor));
        } catch (ArithmeticException e) {
            // a limit that is itself accepted: whole minutes (Long.MAX_VALUE nanoseconds is about 292 years)
            throw new IllegalArgumentException("'" + text + "' is too long a duration; expected at most "
                    + Long.MAX_VALUE / 60_000_000_000L + "m (about 292 years)");
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long r = a % b;
            a = b;
            b = r;
        }
        return a;
    }

    private static IllegalArgumentException notADuration(String text) {
        return new IllegalArgumentException("'" + text + "' is not a duration; " + EXPECTED);
    }

    private static IllegalArgumentException finerThanANanosecond(String text) {
        return new IllegalArgumentException("'" + text + "' is finer than a nanosecond; expected a whole number of"
                + " nanoseconds, e.g. 1.5us or 0.000002s");
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
