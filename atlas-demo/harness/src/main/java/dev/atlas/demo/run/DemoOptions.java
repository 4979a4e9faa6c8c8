package dev.atlas.demo.run;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The scenario every mode runs: {@code warmup} of load (not measured: both JVMs warm up),
 * {@code steady} of measured load, the change at T, then {@code after} more load. The
 * {@code changeWindow} after T is reported apart from the steady phases.
 *
 * @param rate         requests per second (open loop)
 * @param warmup       load before the steady phase
 * @param steady       measured load before the change
 * @param after        load after the change (the change window included)
 * @param window       statistics window (a whole number of milliseconds)
 * @param changeWindow the span after T reported as "change"
 * @param connections  keep-alive connections of the load generator
 * @param service      how the service processes run
 * @param workDir      where logs, result files and the chart go
 * @param png          the chart
 */
public record DemoOptions(int rate, Duration warmup, Duration steady, Duration after, Duration window,
                          Duration changeWindow, int connections, ServiceSettings service, Path workDir, Path png) {

    public DemoOptions {
        if (rate < 1 || rate > 100_000) {
            throw new IllegalArgumentException("rate is " + rate + " req/s, expected 1 to 100000");
        }
        requirePositive("warm-up", warmup);
        requirePositive("steady phase", steady);
        requirePositive("window", window);
        requirePositive("change window", changeWindow);
        if (window.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("window is " + window + ", expected a whole number of milliseconds");
        }
        if (after.compareTo(changeWindow.plus(window)) < 0) {
            throw new IllegalArgumentException("the phase after the change is " + after.toMillis()
                    + " ms, expected at least the change window plus one window (" + changeWindow.plus(window).toMillis() + " ms)");
        }
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " is " + d + ", expected a positive duration");
        }
    }

    /** The full demo: 800 req/s, 8 s warm-up, 10 s steady, 12 s after the change (about 35 s per mode). */
    public static DemoOptions defaults(Path workDir) {
        return new DemoOptions(800, Duration.ofSeconds(8), Duration.ofSeconds(10), Duration.ofSeconds(12),
                Duration.ofMillis(250), Duration.ofSeconds(2), 64, ServiceSettings.DEFAULT, workDir,
                workDir.resolve("latency.png"));
    }

    /** A short run for tests and a first look: 400 req/s, 2 s warm-up, 2 s steady, 3 s after. */
    public static DemoOptions quick(Path workDir) {
        return new DemoOptions(400, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(3),
                Duration.ofMillis(250), Duration.ofSeconds(1), 32, ServiceSettings.DEFAULT, workDir,
                workDir.resolve("latency.png"));
    }

    /** These options with the chart written to {@code png}. */
    public DemoOptions withPng(Path png) {
        return new DemoOptions(rate, warmup, steady, after, window, changeWindow, connections, service, workDir, png);
    }

    /** These options at {@code rate} requests per second. */
    public DemoOptions withRate(int rate) {
        return new DemoOptions(rate, warmup, steady, after, window, changeWindow, connections, service, workDir, png);
    }

    /**
     * These options for round {@code round} of a repeated demo: every file, the chart included,
     * under {@code <workDir>/round-<round>}.
     *
     * @throws IllegalArgumentException if {@code round} is below 1
     */
    public DemoOptions inRound(int round) {
        if (round < 1) {
            throw new IllegalArgumentException("round is " + round + ", expected 1 or more");
        }
        Path dir = workDir.resolve("round-" + round);
        return new DemoOptions(rate, warmup, steady, after, window, changeWindow, connections, service, dir,
                dir.resolve("latency.png"));
    }

    /** Total time under load per mode. */
    public Duration loadDuration() {
        return warmup.plus(steady).plus(after);
    }

    /** T, from the start of the load. */
    public Duration changeAt() {
        return warmup.plus(steady);
    }
}
