package dev.atlas.memory;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Seeded random test cases in plain JUnit: each case gets its own generator from a case
 * seed; a failing case is reported with that seed, and {@code -Datlas.test.seed=<seed>}
 * runs exactly that case again.
 *
 * {@snippet :
 * SeededCases.run(500, random -> {
 *     int pages = random.nextInt(1, 65);
 *     // ... build the input from random, check the property
 * });
 * }
 */
final class SeededCases {
    static final String SEED_PROPERTY = "atlas.test.seed";

    private SeededCases() {}

    /** Runs {@code cases} cases (or only the case {@code -Datlas.test.seed} names). */
    static void run(int cases, Consumer<SplittableRandom> body) {
        String fixed = System.getProperty(SEED_PROPERTY);
        if (fixed != null && !fixed.isBlank()) {
            long seed;
            try {
                seed = Long.parseLong(fixed.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + SEED_PROPERTY + "=" + fixed + ": expected a long", e);
            }
            runCase(seed, body);
            return;
        }
        SplittableRandom seeds = new SplittableRandom();
        for (int i = 0; i < cases; i++) {
            runCase(seeds.nextLong(), body);
        }
    }

    private static void runCase(long seed, Consumer<SplittableRandom> body) {
        try {
            body.accept(new SplittableRandom(seed));
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("case with seed " + seed + " failed (rerun it with -D" + SEED_PROPERTY + "=" + seed
                    + "): " + e.getMessage(), e);
        }
    }
}
