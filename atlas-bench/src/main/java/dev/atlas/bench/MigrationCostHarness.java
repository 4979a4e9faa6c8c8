package dev.atlas.bench;

import dev.atlas.core.Migration;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.MigrationRequest;
import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.quiescence.IdleAwareBlockingQueue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Operator-side cost of a migration, and how it changes as the JIT warms up.
 *
 * <p>Run: {@code java -cp atlas-bench/target/atlas-bench.jar dev.atlas.bench.MigrationCostHarness [N] [M]}
 * (N idle threads, default 16; M migrations, default 3000). Use a fresh JVM per N: the first
 * migrations of a JVM are the cold ones.
 *
 * <p>What is measured: N platform threads blocked in {@link IdleAwareBlockingQueue#take()}
 * (idle, so the migrator moves each of them within {@code start()}), and M migrations back
 * and forth between two views, one at a time, each awaited. Per migration: the time to build
 * the request ({@code space.migrate(v).allThreads().makeDefault()}), the time of the
 * {@code start()} call (which, for idle threads, includes moving all of them), and the
 * report's {@code maxDelay()}. Printed as medians per range of migration index (1, 2, 3-5,
 * ..., to M), so the first migration of the JVM, the interpreted ones and the JIT-compiled
 * steady state can be told apart; {@code start()/N} in the last range is the warm cost per
 * thread.
 *
 * <p>Baseline: none is natural for an operator call; compare the ranges with each other and
 * runs with different N with each other (the per-thread part is the slope).
 */
public final class MigrationCostHarness {
    private static final int[] BOUNDS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000};

    private MigrationCostHarness() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        if (n < 1 || m < 1) {
            System.err.println("usage: MigrationCostHarness [threads >= 1] [migrations >= 1]");
            System.exit(2);
        }
        System.out.printf(Locale.ROOT, "MigrationCostHarness: %s %s, %d CPUs, %d idle threads, %d migrations%n",
                System.getProperty("java.vm.name"), Runtime.version(), Runtime.getRuntime().availableProcessors(), n, m);
        long[] build = new long[m];
        long[] start = new long[m];
        long[] maxDelay = new long[m];
        try (ViewSpace space = ViewSpace.create("cost")) {
            IdleAwareBlockingQueue<Runnable> queue = new IdleAwareBlockingQueue<>(space, new LinkedBlockingQueue<>());
            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                workers.add(Thread.ofPlatform().name("idle-", i).daemon().start(() -> {
                    space.bindCurrentThread();
                    try {
                        while (true) {
                            queue.take().run();
                        }
                    } catch (InterruptedException e) {
                        space.unbindCurrentThread();
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (space.describe().threads().stream().filter(t -> t.idle()).count() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("workers did not become idle");
                }
                Thread.sleep(5);
            }
            View a = space.baseView();
            View b = space.derive(a, "b").publish();
            for (int i = 0; i < m; i++) {
                View target = i % 2 == 0 ? b : a;
                long t0 = System.nanoTime();
                MigrationRequest request = space.migrate(target).allThreads().makeDefault();
                long t1 = System.nanoTime();
                Migration mig = request.start();
                long t2 = System.nanoTime();
                MigrationReport report = mig.await(Duration.ofSeconds(10));
                build[i] = t1 - t0;
                start[i] = t2 - t1;
                maxDelay[i] = report.maxDelay().toNanos();
                LockSupport.parkNanos(100_000);
            }
            for (Thread t : workers) {
                t.interrupt();
            }
        }
        System.out.printf(Locale.ROOT, "%-16s %14s %14s %14s %14s%n", "migrations", "build p50 µs", "start() p50 µs",
                "start()/N µs", "maxDelay p50 µs");
        int lo = 0;
        for (int hi : BOUNDS) {
            int h = Math.min(hi, m);
            if (h <= lo) {
                break;
            }
            double s = median(start, lo, h);
            System.out.printf(Locale.ROOT, "%-16s %14.1f %14.1f %14.2f %14.1f%n", (lo + 1) + ".." + h,
                    median(build, lo, h) / 1e3, s / 1e3, s / 1e3 / n, median(maxDelay, lo, h) / 1e3);
            lo = h;
        }
    }

    private static double median(long[] xs, int from, int to) {
        long[] c = Arrays.copyOfRange(xs, from, to);
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2.0;
    }
}
