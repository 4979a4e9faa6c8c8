package dev.atlas.bench.patch;

import dev.atlas.bench.LeastSquares;
import dev.atlas.core.ViewScope;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * One endurance run: {@code cycles} apply/rollback cycles of {@link PatchedTarget}'s patch
 * while {@code workers} threads call the patched method inside request scopes, with a
 * {@link Sample} (after full GCs) before the first cycle and after every {@code every}
 * cycles and the last. Used by {@link EnduranceHarness} (long runs) and by the build's short
 * endurance test.
 *
 * {@snippet class=dev.atlas.bench.snippets.BenchSnippets region=endurance-run}
 *
 * <p>Threading contract: one run at a time per JVM (the runtime's code views are process-wide).
 */
public final class EnduranceRun {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private EnduranceRun() {
    }

    /** Loaded and unloaded classes, metaspace in use, live threads and open file descriptors after cycle {@code cycle}. */
    public record Sample(int cycle, long classes, long unloaded, long metaspaceBytes, long threads, long fds) {
    }

    /**
     * @param samples  the samples, the first before cycle 1
     * @param requests requests the workers completed
     * @param wrong    requests whose result was neither the original nor the patched body's
     * @param seconds  wall time of the cycles
     */
    public record Result(List<Sample> samples, long requests, long wrong, double seconds) {
        /** The samples taken after cycle {@code fromCycle} or later. */
        public List<Sample> from(int fromCycle) {
            return samples.stream().filter(s -> s.cycle() >= fromCycle).toList();
        }

        /**
         * The least-squares slope per cycle of {@code y} over the samples from cycle
         * {@code fromCycle} on.
         *
         * @throws IllegalStateException if fewer than two samples are there: no slope to speak of
         */
        public double slope(ToLongFunction<Sample> y, int fromCycle) {
            List<Sample> s = from(fromCycle);
            if (s.size() < 2) {
                throw new IllegalStateException(s.size() + " sample(s) from cycle " + fromCycle + " on; a slope needs two"
                        + " or more (run more cycles, or sample more often)");
            }
            return LeastSquares.slope(s, Sample::cycle, y);   // cycles differ: never NaN here
        }
    }

    /**
     * Runs the cycles; {@code progress} sees each sample as it is taken.
     *
     * @throws IllegalArgumentException if a count is not positive
     */
    public static Result run(int cycles, int every, int workers, Consumer<Sample> progress) throws Exception {
        if (cycles < 1 || every < 1 || workers < 1) {
            throw new IllegalArgumentException("cycles " + cycles + ", every " + every + ", workers " + workers
                    + ": each must be at least 1");
        }
        PatchedTarget t = PatchedTarget.load();
        Op op = t.newInstance(7);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong requests = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            long a = w + 1;
            threads.add(Thread.ofPlatform().daemon().name("endurance-worker-" + w).start(() -> {
                while (!stop.get()) {
                    long r;
                    try (ViewScope s = PatchedTarget.views().space().enterRequest()) {   // one request: its end is a quiescence point
                        r = op.m(a, 2);
                    }
                    if (r != PatchedTarget.original(7, a, 2) && r != PatchedTarget.patched(7, a, 2)) {
                        wrong.incrementAndGet();
                    }
                    requests.incrementAndGet();
                }
            }));
        }
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        try {
            samples.add(sample(0));
            progress.accept(samples.getLast());
            for (int c = 1; c <= cycles; c++) {
                t.apply(TIMEOUT);
                PatchedTarget.rollback(TIMEOUT);
                if (c % every == 0 || c == cycles) {
                    samples.add(sample(c));
                    progress.accept(samples.getLast());
                }
            }
        } finally {
            stop.set(true);
            for (Thread th : threads) {
                th.join();
            }
        }
        return new Result(List.copyOf(samples), requests.get(), wrong.get(), (System.nanoTime() - start) / 1e9);
    }

    private static Sample sample(int cycle) throws IOException {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        var cl = ManagementFactory.getClassLoadingMXBean();
        long meta = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getName().equals("Metaspace")) {
                meta = p.getUsage().getUsed();
            }
        }
        long fds = -1;
        Path fd = Path.of("/proc/self/fd");
        if (Files.isDirectory(fd)) {
            try (Stream<Path> s = Files.list(fd)) {
                fds = s.count();
            }
        }
        return new Sample(cycle, cl.getLoadedClassCount(), cl.getUnloadedClassCount(), meta,
                ManagementFactory.getThreadMXBean().getThreadCount(), fds);
    }
}
