package dev.atlas.demo.runtime;

import java.time.Duration;

/**
 * A request's CPU work, calibrated once to take about a given time on this machine: a
 * chain of dependent multiply-xorshift rounds the JIT cannot fold away.
 */
final class Work {
    private static final int CALIBRATION_ROUNDS = 200_000;

    @SuppressWarnings("unused") // written so the JIT keeps the calibration runs
    private static volatile int blackhole;

    private final int rounds;

    private Work(int rounds) {
        this.rounds = rounds;
    }

    /** Measures this machine (best of several runs, after JIT warm-up) and sizes the work to {@code target}. */
    static Work calibrate(Duration target) {
        long best = Long.MAX_VALUE;
        int sink = 0;
        for (int i = 0; i < 40; i++) {
            long t0 = System.nanoTime();
            sink += burn(i, CALIBRATION_ROUNDS);
            best = Math.min(best, System.nanoTime() - t0);
        }
        double nanosPerRound = Math.max(0.05, (double) best / CALIBRATION_ROUNDS);
        int rounds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, target.toNanos() / nanosPerRound));
        blackhole = sink;
        return new Work(rounds);
    }

    int rounds() {
        return rounds;
    }

    int apply(int x) {
        return burn(x, rounds);
    }

    private static int burn(int x, int rounds) {
        int h = x;
        for (int i = 0; i < rounds; i++) {
            h *= 0x9E3779B1;
            h ^= h >>> 15;
        }
        return h;
    }
}
