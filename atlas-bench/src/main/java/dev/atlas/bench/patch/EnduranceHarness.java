package dev.atlas.bench.patch;

import dev.atlas.core.ViewScope;
import dev.atlas.patch.runtime.CodeViews;

import dev.atlas.bench.LeastSquares;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Endurance: many apply/rollback cycles of a real patch ({@link PatchedTarget}: a replaced
 * method, a hidden body class defined per apply) while worker threads keep calling the
 * patched method inside request scopes; after every {@code --every} cycles, a full GC and a
 * sample of loaded classes, metaspace in use, live threads and open file descriptors. It
 * prints the samples and the least-squares slope of each per cycle, over the samples after
 * the first (warm-up) one, and checks every request saw the original or the patched result.
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

    record Sample(int cycle, long classes, long unloaded, long metaspaceBytes, int threads, long fds) {
    }

    public static void main(String[] args) throws Exception {
        int cycles = 1000;
        int every = 100;
        int workers = 4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cycles" -> cycles = Integer.parseInt(args[++i]);
                case "--every" -> every = Integer.parseInt(args[++i]);
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: EnduranceHarness [--cycles N (1000)] [--every N (100)] [--workers N (4)]");
                    System.exit(2);
                }
            }
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
        Duration timeout = Duration.ofSeconds(30);
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        samples.add(sample(0));
        for (int c = 1; c <= cycles; c++) {
            t.apply(timeout);
            PatchedTarget.rollback(timeout);
            if (c % every == 0 || c == cycles) {
                samples.add(sample(c));
                Sample s = samples.getLast();
                System.out.printf(Locale.ROOT, "cycle %5d  classes %6d (unloaded %6d)  metaspace %8.1f KiB  threads %3d  fds %4d%n",
                        s.cycle(), s.classes(), s.unloaded(), s.metaspaceBytes() / 1024.0, s.threads(), s.fds());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        for (Thread th : threads) {
            th.join();
        }
        List<Sample> steady = samples.subList(Math.min(2, samples.size() - 1), samples.size());
        System.out.printf(Locale.ROOT, "%d apply/rollback cycles in %.1f s, %d requests by %d workers, %d saw a wrong result%n",
                cycles, seconds, requests.get(), workers, wrong.get());
        System.out.printf(Locale.ROOT, "slope per cycle (least squares, samples from cycle %d on): classes %+.4f, "
                        + "metaspace %+.1f bytes, threads %+.5f, fds %+.5f%n", steady.getFirst().cycle(),
                slope(steady, Sample::classes), slope(steady, Sample::metaspaceBytes),
                slope(steady, s -> s.threads()), slope(steady, Sample::fds));
        if (wrong.get() != 0) {
            System.exit(1);
        }
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

    private static double slope(List<Sample> samples, java.util.function.ToLongFunction<Sample> y) {
        return LeastSquares.slope(samples, Sample::cycle, y);
    }
}
