package dev.atlas.bench.patch;

import java.util.Locale;

/**
 * Endurance: many apply/rollback cycles of a real patch ({@link PatchedTarget}: a replaced
 * method, a hidden body class defined per apply) while worker threads keep calling the
 * patched method inside request scopes; after every {@code --every} cycles, a full GC and a
 * sample of loaded classes, metaspace in use, live threads and open file descriptors
 * ({@link EnduranceRun}). It prints the samples and the least-squares slope of each per
 * cycle over the samples after the first (warm-up) one, which needs at least three of them
 * ({@code --cycles} / {@code --every} of 3 or more), and checks every request saw the
 * original or the patched result.
 *
 * {@snippet lang=shell :
 * ./mvnw -q -B -ntp -pl atlas-bench -am -DskipTests package
 * java -Xmx512m -cp atlas-bench/target/atlas-bench.jar dev.atlas.bench.patch.EnduranceHarness --cycles 1000
 * }
 *
 * <p>What flat means: a rolled-back patch's classes unload once its view retired, and no
 * map of the runtime grows per cycle. The slopes are what the docs quote ("Reliability" in
 * the README).
 */
public final class EnduranceHarness {
    private EnduranceHarness() {
    }

    public static void main(String[] args) throws Exception {
        int cycles = 1000;
        int every = 100;
        int workers = 4;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--cycles" -> cycles = Integer.parseInt(args[++i]);
                    case "--every" -> every = Integer.parseInt(args[++i]);
                    case "--workers" -> workers = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (cycles < 1 || every < 1 || workers < 1) {
                throw new IllegalArgumentException("--cycles " + cycles + ", --every " + every + ", --workers " + workers
                        + ": each must be at least 1");
            }
            if (cycles / every < 3) {
                throw new IllegalArgumentException("--cycles " + cycles + " with --every " + every + " gives "
                        + cycles / every + " sample(s) after the first; the slope needs 3 or more (one is warm-up)");
            }
        } catch (RuntimeException e) {   // a bad number, a missing value, too few samples
            System.err.println("EnduranceHarness: " + e.getMessage());
            System.err.println("usage: EnduranceHarness [--cycles N (1000)] [--every N (100)] [--workers N (4)]");
            System.exit(2);
            return;
        }
        EnduranceRun.Result r = EnduranceRun.run(cycles, every, workers, s -> System.out.printf(Locale.ROOT,
                "cycle %5d  classes %6d (unloaded %6d)  metaspace %8.1f KiB  threads %3d  fds %4d%n",
                s.cycle(), s.classes(), s.unloaded(), s.metaspaceBytes() / 1024.0, s.threads(), s.fds()));
        int from = r.samples().get(2).cycle();   // the first sample after the warm-up one
        System.out.printf(Locale.ROOT, "%d apply/rollback cycles in %.1f s, %d requests by %d workers, %d saw a wrong result%n",
                cycles, r.seconds(), r.requests(), workers, r.wrong());
        System.out.printf(Locale.ROOT, "slope per cycle (least squares over %d samples, from cycle %d on): classes %+.4f, "
                        + "metaspace %+.1f bytes, threads %+.5f, fds %+.5f%n", r.from(from).size(), from,
                r.slope(EnduranceRun.Sample::classes, from), r.slope(EnduranceRun.Sample::metaspaceBytes, from),
                r.slope(EnduranceRun.Sample::threads, from), r.slope(EnduranceRun.Sample::fds, from));
        if (r.wrong() != 0) {
            System.exit(1);
        }
    }
}
