package dev.atlas.bench.delay;

/** Calibrated CPU work: the W µs of arithmetic inside each worker's scope. */
final class CalibratedWork {
    private CalibratedWork() {
    }

    /** A chain of dependent xorshift steps: {@code units} of them. */
    static long spin(long x, int units) {
        for (int i = 0; i < units; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** Units per microsecond: the fastest of several timed runs, after JIT warm-up. */
    static double calibrate() {
        long sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += spin(i, 1_000);
        }
        final int units = 200_000;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 30; i++) {
            long t0 = System.nanoTime();
            sink += spin(sink, units);
            best = Math.min(best, System.nanoTime() - t0);
        }
        if (sink == 42) {
            System.out.print("");
        }
        return units / (best / 1000.0);
    }
}
