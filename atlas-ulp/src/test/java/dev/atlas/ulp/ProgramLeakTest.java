package dev.atlas.ulp;

import dev.atlas.ulp.fixtures.Programs;
import dev.atlas.testsupport.Await;
import dev.atlas.ulp.fixtures.PoolPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;

import static dev.atlas.ulp.HostFixture.spec;
import static dev.atlas.ulp.HostFixture.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sequential runs leave nothing behind: each program's loader becomes unreachable, and the
 * host's loaded classes, threads and heap after a full GC do not grow.
 * {@code -Datlas.ulp.leakRuns=1000} for a longer run (the default, 200, is the CI share); the
 * 1,000-run measurement of a host daemon, with a real program, is
 * {@code dev.atlas.bench.ulp.SequentialRunsHarness} (docs/ulp.md).
 */
class ProgramLeakTest {
    private static final int RUNS = Integer.getInteger("atlas.ulp.leakRuns", 200);

    @Test
    void aProgramsLoaderIsCollectedAfterItEnds() throws Exception {
        try (ProgramHost host = ProgramHost.create()) {
            HostFixture.Started s = start(host, spec(Programs.ExitFromThread.class, "0"), InputStream.nullInputStream());
            WeakReference<ClassLoader> loader = new WeakReference<>(s.program().classLoader());
            assertEquals(0, s.await().status());
            HostFixture.assertCollected(loader);
        }
    }

    @Test
    void sequentialRunsDoNotGrowClassesOrThreads() throws Exception {
        try (ProgramHost host = ProgramHost.create()) {
            runMany(host, 20);   // warm-up: the host's own classes are loaded
            long classesBefore = loadedClassesAfterGc();
            long heapBefore = heapUsedAfterGc();
            int threadsBefore = Thread.activeCount();
            runMany(host, RUNS);
            long classesAfter = loadedClassesAfterGc();
            long heapAfter = heapUsedAfterGc();
            // a run whose program stayed reachable keeps at least its two 8 KiB output buffers, its
            // loader and its System: RUNS such runs would add over 16 KiB * RUNS; the bound is half
            // that, far above the few hundred KiB a full GC's result varies by
            assertTrue(heapAfter - heapBefore < RUNS * 8L * 1024, "heap used after a full GC grew from "
                    + (heapBefore >> 10) + " KiB to " + (heapAfter >> 10) + " KiB over " + RUNS + " runs");
            // each run loads 2 program classes: RUNS runs that leaked would add 2 * RUNS
            assertTrue(classesAfter - classesBefore < RUNS / 2,
                    "loaded classes grew from " + classesBefore + " to " + classesAfter + " over " + RUNS + " runs");
            assertTrue(Thread.activeCount() <= threadsBefore + 2,
                    "threads grew from " + threadsBefore + " to " + Thread.activeCount());
            assertTrue(host.programs().isEmpty());
            assertEquals(RUNS + 20L, host.counts().get("ended"));
        }
    }

    /**
     * A program that never shuts down its pools and timers (ecj keeps a static cached pool)
     * ends with them: their threads end, and its class loader becomes unreachable. Without
     * the host stopping them, an idle cached-pool worker waits out its 60-second keep-alive
     * and a fixed pool's or a timer's thread waits forever, each keeping the loader reachable.
     */
    @ParameterizedTest
    @ValueSource(classes = {PoolPrograms.StaticCachedPool.class, PoolPrograms.FixedPoolThenExit.class,
            PoolPrograms.OwnPoolClass.class, PoolPrograms.ForkJoinTimerScheduled.class})
    void theExecutorsAndTimersAProgramNeverShutDownEndWithIt(Class<?> main) throws Exception {
        try (ProgramHost host = ProgramHost.create()) {
            CountDownLatch release = new CountDownLatch(1);
            InputStream stdin = new InputStream() {   // one line once released (a pipe would hold its reader thread)
                private boolean sent;

                @Override
                public int read() throws java.io.IOException {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    boolean first = !sent;
                    sent = true;
                    return first ? '\n' : -1;
                }
            };
            HostFixture.Started s = start(host, spec(main), stdin);
            Await.until("the program's 'done'", () -> s.out().toString(StandardCharsets.UTF_8).contains("done"));
            WeakReference<ClassLoader> loader = new WeakReference<>(s.program().classLoader());
            Set<Long> threads = new HashSet<>();
            for (Thread t : s.program().threads()) {
                threads.add(t.threadId());
            }
            assertTrue(threads.size() > 1, "the program's pool threads: " + s.program().threads());
            release.countDown();
            HostFixture.Run r = s.await();
            assertEquals(0, r.status(), r.err());
            Await.until(() -> "the threads of " + main.getSimpleName() + " to end", Duration.ofSeconds(30),
                    () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> threads.contains(t.threadId())));
            HostFixture.assertCollected(loader);
        }
    }

    private static void runMany(ProgramHost host, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            HostFixture.Run r = start(host, spec(Programs.NonDaemon.class), new java.io.ByteArrayInputStream("x\n".getBytes())).await();
            assertEquals(0, r.status());
        }
    }

    /** Classes are unloaded by a full GC once their loader is unreachable; a few GCs, bounded. */
    private static long loadedClassesAfterGc() {
        var mx = ManagementFactory.getClassLoadingMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long now = mx.getLoadedClassCount();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** Heap used after a full GC: the least of three, so that what a GC left by chance does not count. */
    private static long heapUsedAfterGc() {
        var mx = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, mx.getHeapMemoryUsage().getUsed());
        }
        return least;
    }
}
