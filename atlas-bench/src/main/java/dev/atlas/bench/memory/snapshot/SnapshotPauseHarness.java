package dev.atlas.bench.memory.snapshot;

import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;
import dev.atlas.memory.linux.Linux;
import dev.atlas.memory.snapshot.MemorySnapshot;
import dev.atlas.memory.snapshot.SnapshotCut;
import dev.atlas.memory.snapshot.SnapshotMethod;
import dev.atlas.memory.uffd.ForkBaseline;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * End-to-end: a snapshot of N MiB of touched memory while writers run; the pause the
 * writers see and their throughput during the snapshot, for copy-before-write (with and
 * without background copy), an eager copy and fork().
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp atlas-bench/target/atlas-bench.jar \
 *      dev.atlas.bench.memory.snapshot.SnapshotPauseHarness [sizeMiB=4096] [writers=1] [windowMs=2000] [rounds=3] [hotPercent=100]
 * </pre>
 *
 * Writers do operations of 8 random 8-byte stores each (uniform over the first
 * {@code hotPercent} % of the region; 100: the whole region, the worst case for
 * copy-before-write and for fork's copy-on-write), one per scope, with a
 * quiescence point between operations. Pause = the longest gap between two operations of
 * a writer during the window; throughput = operations in the window / steady operations.
 */
public final class SnapshotPauseHarness {
    private static final int STORES_PER_OP = 8;

    private final long bytes;
    private final long hotBytes;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final ViewSpace space = ViewSpace.create("snapshot-bench");
    private final List<Writer> writers = new ArrayList<>();

    private SnapshotPauseHarness(long bytes, int writerCount, int hotPercent) throws InterruptedException {
        this.bytes = bytes;
        this.hotBytes = Math.max(4096, bytes / 100 * hotPercent);
        this.memory = Linux.mapAnonymous(bytes, arena);
        for (long off = 0; off < bytes; off += 4096) {
            memory.set(ValueLayout.JAVA_LONG, off, off);   // touch every page
        }
        for (int i = 0; i < writerCount; i++) {
            writers.add(new Writer(i));
        }
        for (Writer w : writers) {
            while (w.ops == 0) {
                Thread.sleep(1);
            }
        }
    }

    final class Writer implements Runnable {
        final Thread thread;
        volatile long ops;
        volatile long maxGapNanos;
        volatile boolean stop;

        Writer(int id) {
            thread = Thread.ofPlatform().name("bench-writer-" + id).daemon().start(this);
        }

        @Override
        public void run() {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            long words = hotBytes / 8;
            long last = System.nanoTime();
            long n = 0;
            while (!stop) {
                try (ViewScope op = SnapshotCut.enter(space)) {
                    for (int i = 0; i < STORES_PER_OP; i++) {
                        memory.set(ValueLayout.JAVA_LONG, rnd.nextLong(words) * 8, n);
                    }
                }
                space.quiescent();
                long now = System.nanoTime();
                long gap = now - last;
                if (gap > maxGapNanos) {
                    maxGapNanos = gap;
                }
                last = now;
                ops = ++n;
            }
        }
    }

    private long totalOps() {
        return writers.stream().mapToLong(w -> w.ops).sum();
    }

    private void resetGaps() {
        writers.forEach(w -> w.maxGapNanos = 0);
    }

    private long maxGap() {
        return writers.stream().mapToLong(w -> w.maxGapNanos).max().orElse(0);
    }

    private double steadyOpsPerSec(long windowMs) throws InterruptedException {
        long o0 = totalOps();
        long t0 = System.nanoTime();
        Thread.sleep(windowMs);
        return (totalOps() - o0) * 1e9 / (System.nanoTime() - t0);
    }

    record Result(String method, double setupMs, double stopMs, double actionMs, double cutMs, double writerPauseMs,
                  double throughputRatio, String note) {
    }

    private Result snapshot(SnapshotMethod method, boolean background, Duration spin, long windowMs, double steady)
            throws InterruptedException {
        SnapshotCut cut = SnapshotCut.quiescent(space, writers.stream().map(w -> w.thread).toList(), Duration.ofSeconds(30));
        resetGaps();
        long o0 = totalOps();
        long t0 = System.nanoTime();
        MemorySnapshot s = MemorySnapshot.builder().region("data", memory).cut(cut).method(method)
                .backgroundCopy(background).handlerSpin(spin).take();
        try {
            long remaining = windowMs - (System.nanoTime() - t0) / 1_000_000;
            // at least 300 ms after take(): a writer records its gap only once it has woken from the gate
            Thread.sleep(Math.max(remaining, 300));
            double secs = (System.nanoTime() - t0) / 1e9;
            double ratio = (totalOps() - o0) / secs / steady;
            String note = s.handlerStats().map(h -> "faults=" + h.faults() + " saved=" + h.savedPages()).orElse("");
            return new Result(method + (background ? "+background" : "") + (spin.isZero() ? "" : "+spin"), ms(s.stats().arming()),
                    ms(s.stats().cut().stopping()), ms(s.stats().cut().action()), ms(s.stats().cut().pause()),
                    maxGap() / 1e6, ratio, note + " reprotected=" + s.stats().pagesReprotected());
        } finally {
            s.close();
        }
    }

    private Result fork(long windowMs, double steady) throws InterruptedException {
        resetGaps();
        long o0 = totalOps();
        long t0 = System.nanoTime();
        ForkBaseline.Child c = ForkBaseline.fork(Duration.ofMillis(windowMs + 500));
        long remaining = windowMs - (System.nanoTime() - t0) / 1_000_000;
        if (remaining > 0) {
            Thread.sleep(remaining);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double ratio = (totalOps() - o0) / secs / steady;
        c.reap();
        return new Result("fork()", 0, 0, ms(c.forkTime()), ms(c.forkTime()), maxGap() / 1e6, ratio, "child alive for the window");
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    private void close() throws InterruptedException {
        for (Writer w : writers) {
            w.stop = true;
            w.thread.join();
        }
        space.close();
        arena.close();   // unmaps the memory
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 4096;
        int writerCount = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        long windowMs = args.length > 2 ? Long.parseLong(args[2]) : 2000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int hot = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        System.out.printf(Locale.ROOT, "# snapshot of %d MiB touched memory, %d writer(s) storing into the first %d %%, window %d ms,"
                + " %d rounds, %d cpus, load %s%n", mib, writerCount, hot, windowMs, rounds,
                Runtime.getRuntime().availableProcessors(), loadAverage());
        long t0 = System.nanoTime();
        SnapshotPauseHarness h = new SnapshotPauseHarness(mib << 20, writerCount, hot);
        System.out.printf(Locale.ROOT, "# touched in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        h.steadyOpsPerSec(3000);   // warm-up
        System.out.println("method,round,steady_ops_per_s,setup_ms,stop_ms,cut_action_ms,cut_pause_ms,writer_max_gap_ms,throughput_ratio,note");
        try {
            for (int r = 0; r < rounds; r++) {
                for (String m : List.of("cbw", "cbw+bg", "cbw+bg+spin", "eager", "fork")) {
                    Thread.sleep(500);   // let the previous method's after-effects pass
                    double steady = h.steadyOpsPerSec(1000);
                    Result res = switch (m) {
                        case "cbw" -> h.snapshot(SnapshotMethod.COPY_BEFORE_WRITE, false, Duration.ZERO, windowMs, steady);
                        case "cbw+bg" -> h.snapshot(SnapshotMethod.COPY_BEFORE_WRITE, true, Duration.ZERO, windowMs, steady);
                        case "cbw+bg+spin" -> h.snapshot(SnapshotMethod.COPY_BEFORE_WRITE, true, Duration.ofMillis(1), windowMs, steady);
                        case "eager" -> h.snapshot(SnapshotMethod.EAGER_COPY, false, Duration.ZERO, windowMs, steady);
                        default -> h.fork(windowMs, steady);
                    };
                    System.out.printf(Locale.ROOT, "%s,%d,%.0f,%.1f,%.2f,%.2f,%.2f,%.2f,%.3f,%s%n", res.method(), r, steady,
                            res.setupMs(), res.stopMs(), res.actionMs(), res.cutMs(), res.writerPauseMs(), res.throughputRatio(),
                            res.note());
                }
            }
        } finally {
            h.close();
            System.out.printf(Locale.ROOT, "# load at the end %s%n", loadAverage());
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
