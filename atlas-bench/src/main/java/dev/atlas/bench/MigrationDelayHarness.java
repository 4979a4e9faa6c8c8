package dev.atlas.bench;

import dev.atlas.core.Migration;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.MigrationTimeoutException;
import dev.atlas.core.ThreadMigrationState;
import dev.atlas.core.ThreadProgress;
import dev.atlas.core.View;
import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.quiescence.QuiescentThreadPool;
import org.HdrHistogram.Histogram;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * End-to-end harness: the delay from a migration request to each thread being migrated,
 * against its natural baseline, the time until that thread's next quiescence point.
 *
 * <p>Run: {@code java -cp atlas-bench/target/atlas-bench.jar dev.atlas.bench.MigrationDelayHarness [options]}
 * ({@code --help} lists them; {@code --quick} is a ~10 s smoke run; the defaults take under a minute
 * and a half).
 *
 * <h2>Scenarios</h2>
 * <ul>
 *   <li><b>busy</b>: N platform threads (default 4 and 16), each looping
 *       {@code try (scope) { W µs of CPU work } space.quiescent();} for W in {10, 100, 1000} µs.
 *       The work is a fixed amount of arithmetic calibrated at start to take W µs on one
 *       otherwise idle thread. Baselines: W itself (the expected wait for the next
 *       quiescence point is about W/2, at most W, if the thread has a CPU), and the
 *       <i>measured</i> time from the request to the first quiescence point the thread
 *       reached after it (each worker timestamps its quiescence points), which also
 *       includes the time the thread waits for a CPU on this oversubscribed machine.</li>
 *   <li><b>idle</b>: a {@link QuiescentThreadPool} of N threads with no tasks, all blocked in
 *       {@code IdleAwareBlockingQueue.take()}. Baseline: zero; the migrator is expected to
 *       move each of them at once, within {@code start()}.</li>
 *   <li><b>virtual</b>: 200 virtual threads looping like the busy workers with W = 100 µs and a
 *       100 µs park after each quiescence point, so that the two carriers take turns running
 *       them. Baselines as for busy. ({@code --virtual-sleep 0} uses {@link Thread#yield()}
 *       instead; on JDK 25 with two carriers that starved some virtual threads for over 10 s
 *       here, so no migration could complete: see docs/benchmarks.md.)</li>
 * </ul>
 *
 * <h2>Per scenario</h2>
 * Workers warm up (with a few unrecorded migrations), then alternate windows of equal length,
 * quiet and migrating: Q M Q M Q M Q by default ({@code --rounds 3}). A migrating window
 * holds its share of the M migrations (default 50), paced evenly across it, back and forth
 * between two views (or into freshly derived views with {@code --fresh-views}, retiring the
 * one left), each awaited before the next; it lasts longer than the quiet ones if the
 * migrations take longer than the window. Recorded into HdrHistograms, per thread per
 * migration:
 * <ul>
 *   <li><b>delay</b>: {@link ThreadProgress#delay()} from the {@link MigrationReport}
 *       (request to move, measured by atlas; its clock starts when the {@code Migration} object
 *       is constructed inside {@code start()});</li>
 *   <li><b>e2e</b>: the same, on the harness's clock: from just before {@code start()} is
 *       called to the moment the worker's {@code quiescent()} call returned in the new view
 *       (for idle threads, which do not run, the {@code start()} call is shown instead);</li>
 *   <li><b>next QP</b>: from the harness's timestamp just before {@code start()} to the first
 *       quiescence point the worker reached after it (the natural baseline);</li>
 *   <li><b>excess</b>: from that first quiescence point to the moment the worker's
 *       {@code quiescent()} call returned in the new view; small if the worker moved at its
 *       first quiescence point after the request, about one more work period if the ticket
 *       reached it too late for that one;</li>
 *   <li><b>adopt call</b>: how long the worker's {@code quiescent()} call that moved it took
 *       (the work a migration puts on a worker); and, per migration, the longest such call
 *       ("last"; the thread that settles the last entry also finishes the migration in that
 *       call, and the longest call is usually that one);</li>
 *   <li><b>start()</b>: how long the operator's {@code start()} call took (for idle
 *       threads it includes moving them);</li>
 *   <li><b>missed after start()</b>: quiescence points a worker passed after {@code start()}
 *       had returned (so after its ticket was installed) without moving; must be 0.</li>
 * </ul>
 * Throughput is the sum of worker iterations per second in each window. Each migrating
 * window is compared with the mean of the quiet windows on either side of it (which cancels
 * slow drifts in the machine's load); the mean of those ratios shows whether anybody waited
 * for the migrations (target about 1.0), and the spread of the quiet windows shows the noise.
 *
 * <p>Note on JIT state: with the defaults the migration path runs a few hundred times per
 * scenario, so it is mostly interpreted or C1-compiled, as it would be in a process that
 * migrates rarely. {@code --scenarios idle --warmup-migrations 5000} shows the JIT-warm cost.
 */
public final class MigrationDelayHarness {

    private static final long NO_REQUEST = Long.MAX_VALUE;
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private MigrationDelayHarness() {
    }

    // ================================================================ options

    record Options(boolean quick, int migrations, int warmupMigrations, double windowSeconds, double warmupSeconds,
                   int rounds, int[] threads, int[] workMicros, int virtualThreads, int virtualWorkMicros,
                   int virtualSleepMicros, boolean freshViews,
                   Set<String> scenarios) {

        static Options parse(String[] args) {
            boolean quick = Arrays.asList(args).contains("--quick");
            int migrations = quick ? 12 : 50;
            int warmupMigrations = quick ? 5 : 10;
            double window = quick ? 0.3 : 1.0;
            double warmup = quick ? 0.3 : 1.0;
            int rounds = quick ? 1 : 3;
            int[] threads = {4, 16};
            int[] work = {10, 100, 1000};
            int vthreads = 200;
            int vwork = 100;
            int vsleep = 100;
            boolean fresh = false;
            Set<String> scenarios = new LinkedHashSet<>(List.of("busy", "idle", "virtual"));
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> { }
                    case "--migrations" -> migrations = Integer.parseInt(args[++i]);
                    case "--warmup-migrations" -> warmupMigrations = Integer.parseInt(args[++i]);
                    case "--window" -> window = Double.parseDouble(args[++i]);
                    case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--threads" -> threads = ints(args[++i]);
                    case "--work" -> work = ints(args[++i]);
                    case "--virtual-threads" -> vthreads = Integer.parseInt(args[++i]);
                    case "--virtual-work" -> vwork = Integer.parseInt(args[++i]);
                    case "--virtual-sleep" -> vsleep = Integer.parseInt(args[++i]);
                    case "--fresh-views" -> fresh = true;
                    case "--scenarios" -> scenarios = new LinkedHashSet<>(List.of(args[++i].split(",")));
                    case "--help", "-h" -> {
                        usage();
                        System.exit(0);
                    }
                    default -> {
                        System.err.println("unknown option: " + a);
                        usage();
                        System.exit(2);
                    }
                }
            }
            if (migrations < 1 || window <= 0 || warmup < 0 || warmupMigrations < 0 || rounds < 1 || rounds > migrations) {
                System.err.println("need --migrations >= --rounds >= 1, --window > 0, --warmup and --warmup-migrations >= 0");
                System.exit(2);
            }
            return new Options(quick, migrations, warmupMigrations, window, warmup, rounds, threads, work, vthreads, vwork,
                    vsleep, fresh, scenarios);
        }

        private static int[] ints(String csv) {
            return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
        }

        private static void usage() {
            System.err.println("""
                    usage: java -cp atlas-bench.jar dev.atlas.bench.MigrationDelayHarness [options]
                      --quick                 ~10 s smoke run (12 migrations, 1 round, 0.3 s windows)
                      --scenarios LIST        busy,idle,virtual (default: all)
                      --threads LIST          platform thread counts for busy and idle (default 4,16)
                      --work LIST             busy work per scope in µs (default 10,100,1000)
                      --virtual-threads N     virtual threads (default 200)
                      --virtual-work US       their work per scope in µs (default 100)
                      --virtual-sleep US      after each quiescence point a virtual thread parks US µs (default 100)
                                              0: Thread.yield() instead (can starve threads, see docs)
                      --migrations M          recorded migrations per scenario (default 50)
                      --warmup-migrations K   unrecorded migrations during warm-up (default 10)
                      --rounds R              quiet/migrating window pairs: Q M Q M .. Q (default 3)
                      --window S              length of each window in s (default 1)
                      --warmup S              warm-up in s (default 1)
                      --fresh-views           migrate into a freshly derived view each time and retire the old one
                    """);
        }
    }

    // ================================================================ worker side

    /** Written by the harness, read by every worker at every quiescence point. */
    static final class Control {
        volatile long requestNanos = NO_REQUEST;
        volatile boolean stop;
    }

    static class ProbePadBefore {
        long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    static class ProbeFields extends ProbePadBefore {
        long iterations;        // opaque writes by the owner
        long movedFor;          // request it moved for; release-written after the fields below
        long firstPointNanos;   // first quiescence point at or after the request
        long moveBeforeNanos;   // just before the quiescent() call that moved it
        long moveAfterNanos;    // just after it returned
        int points;             // quiescence points since the request, the moving one included
        long lastMissNanos;     // latest point at or after the request that did not move it (0: none)
        long sink;
    }

    /**
     * One worker's counters, allocated by the worker itself and padded on both sides so
     * that neither the allocator nor a GC puts two workers' hot fields on one cache line.
     */
    static final class Probe extends ProbeFields {
        long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

        private static final VarHandle ITERATIONS;
        private static final VarHandle MOVED_FOR;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                ITERATIONS = l.findVarHandle(ProbeFields.class, "iterations", long.class);
                MOVED_FOR = l.findVarHandle(ProbeFields.class, "movedFor", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        Probe() {
            MOVED_FOR.setRelease(this, NO_REQUEST);
        }

        void iterations(long n) {
            ITERATIONS.setOpaque(this, n);
        }

        long iterations() {
            return (long) ITERATIONS.getOpaque(this);
        }

        void moved(long request, long firstPoint, long lastMiss, long before, long after, int pts) {
            firstPointNanos = firstPoint;
            lastMissNanos = lastMiss;
            moveBeforeNanos = before;
            moveAfterNanos = after;
            points = pts;
            MOVED_FOR.setRelease(this, request);
        }

        long movedFor() {
            return (long) MOVED_FOR.getAcquire(this);
        }
    }

    /** The busy loop: a scope around a fixed amount of work, then a quiescence point. */
    static final class BusyWorker implements Runnable {
        private final ViewSpace space;
        private final Control control;
        private final AtomicReferenceArray<Probe> probes;
        private final int index;
        private final int units;
        private final boolean yieldAfterPoint;
        private final long sleepNanos;
        private final CountDownLatch gate;

        BusyWorker(ViewSpace space, Control control, AtomicReferenceArray<Probe> probes, int index, int units,
                   boolean yieldAfterPoint, long sleepNanos, CountDownLatch gate) {
            this.space = space;
            this.control = control;
            this.probes = probes;
            this.index = index;
            this.units = units;
            this.yieldAfterPoint = yieldAfterPoint;
            this.sleepNanos = sleepNanos;
            this.gate = gate;
        }

        @Override
        public void run() {
            try {
                gate.await();   // all workers start together (else yield-looping virtual threads can starve late starters)
            } catch (InterruptedException e) {
                return;
            }
            final Probe p = new Probe();
            long acc = 0x9E3779B97F4A7C15L + index;
            long n = 0;
            long currentRequest = NO_REQUEST;
            long firstPoint = 0;
            long lastMiss = 0;
            int points = 0;
            boolean published = false;
            while (!control.stop) {
                try (ViewScope s = space.enter()) {
                    acc = Work.spin(acc, units);
                    acc += s.view().id();
                }
                final long t = System.nanoTime();
                final boolean moved = space.quiescent();
                final long r = control.requestNanos;
                if (r != currentRequest) {
                    currentRequest = r;
                    points = 0;
                    lastMiss = 0;
                }
                if (t >= r) {
                    if (points++ == 0) {
                        firstPoint = t;
                    }
                    if (!moved) {
                        lastMiss = t;
                    }
                }
                if (moved) {
                    if (points == 0) {   // this point began just before the request was published
                        points = 1;
                        firstPoint = t;
                    }
                    p.moved(r, firstPoint, lastMiss, t, System.nanoTime(), points);
                }
                p.iterations(++n);
                if (!published) {   // after the first scope: the thread is bound
                    probes.set(index, p);
                    published = true;
                }
                if (sleepNanos > 0) {
                    LockSupport.parkNanos(sleepNanos);
                } else if (yieldAfterPoint) {
                    Thread.yield();
                }
            }
            p.sink = acc;
        }
    }

    /** Calibrated CPU work. */
    static final class Work {
        private Work() {
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

    // ================================================================ results

    static final class Result {
        final String name;
        final String kind;
        final int threads;
        final int workMicros;
        final Histogram delay = histogram();
        final Histogram endToEnd = histogram();
        final Histogram nextPoint = histogram();
        final Histogram excess = histogram();
        final Histogram adoptCall = histogram();
        final Histogram adoptCallMax = histogram();   // per migration: the longest adopt call (about the thread that completed it)
        final Histogram startCost = histogram();
        final Histogram migrationMax = histogram();
        long samples;
        long firstPointMoves;
        long missedAfterStart;
        long notMigrated;
        final List<Double> quiet = new ArrayList<>();
        final List<Double> migrating = new ArrayList<>();
        double migratingSeconds;
        String failure;
        String note = "";

        Result(String name, String kind, int threads, int workMicros) {
            this.name = name;
            this.kind = kind;
            this.threads = threads;
            this.workMicros = workMicros;
        }

        private static Histogram histogram() {
            return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        }
    }

    // ================================================================ scenarios

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        System.out.printf(Locale.ROOT, "MigrationDelayHarness: %s %s, %d CPUs, %s%s%n",
                System.getProperty("java.vm.name"), Runtime.version(), Runtime.getRuntime().availableProcessors(),
                o.quick() ? "quick" : "default", o.freshViews() ? ", fresh views" : ", two views back and forth");
        double unitsPerMicro = Work.calibrate();
        System.out.printf(Locale.ROOT, "calibration: %.1f work units per µs (one thread, best of 30)%n", unitsPerMicro);
        System.out.printf(Locale.ROOT, "per scenario: %.2f s warm-up (%d migrations), then %d x (quiet, migrating) + quiet windows of %.2f s, %d recorded migrations%n",
                o.warmupSeconds(), o.warmupMigrations(), o.rounds(), o.windowSeconds(), o.migrations());
        System.out.printf(Locale.ROOT, "virtual threads: %s after each quiescence point%n%n",
                o.virtualSleepMicros() > 0 ? "park " + o.virtualSleepMicros() + " µs" : "Thread.yield()");
        long t0 = System.nanoTime();
        List<Result> results = new ArrayList<>();
        if (o.scenarios().contains("busy")) {
            for (int n : o.threads()) {
                for (int w : o.workMicros()) {
                    results.add(runLoopScenario(o, "busy", n, w, (int) Math.round(w * unitsPerMicro), false));
                }
            }
        }
        if (o.scenarios().contains("idle")) {
            for (int n : o.threads()) {
                results.add(runIdleScenario(o, n));
            }
        }
        if (o.scenarios().contains("virtual")) {
            int w = o.virtualWorkMicros();
            results.add(runLoopScenario(o, "virtual", o.virtualThreads(), w, (int) Math.round(w * unitsPerMicro), true));
        }
        print(results);
        System.out.printf(Locale.ROOT, "%ntotal time %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** busy (platform threads) and virtual: workers loop scope / work / quiescence point. */
    static Result runLoopScenario(Options o, String kind, int n, int workMicros, int units, boolean virtual)
            throws InterruptedException {
        String name = kind + " " + n + "x" + workMicros + "us";
        Result res = new Result(name, kind, n, workMicros);
        System.out.printf(Locale.ROOT, "running %-22s ... ", name);
        System.out.flush();
        ViewSpace space = ViewSpace.create("bench-" + kind + "-" + n + "-" + workMicros);
        Control control = new Control();
        AtomicReferenceArray<Probe> probes = new AtomicReferenceArray<>(n);
        List<Thread> workers = new ArrayList<>(n);
        Thread.Builder builder = virtual ? Thread.ofVirtual().name(kind + "-", 0) : Thread.ofPlatform().name(kind + "-", 0);
        CountDownLatch gate = new CountDownLatch(1);
        long sleepNanos = virtual ? o.virtualSleepMicros() * 1000L : 0;
        try {
            for (int i = 0; i < n; i++) {
                workers.add(builder.start(new BusyWorker(space, control, probes, i, units, virtual, sleepNanos, gate)));
            }
            gate.countDown();
            awaitAllPublished(probes);
            Views views = new Views(space, o.freshViews());
            // warm-up, with a few unrecorded migrations
            long warmEnd = System.nanoTime() + seconds(o.warmupSeconds());
            paced(o.warmupMigrations(), seconds(o.warmupSeconds()), i -> migrateBusy(space, views, control, probes, null));
            sleepUntil(warmEnd);
            // quiet and migrating windows, alternating: Q M Q M ... Q
            long window = seconds(o.windowSeconds());
            for (int round = 0; round < o.rounds(); round++) {
                res.quiet.add(rate(probes, window, null));
                int count = o.migrations() / o.rounds() + (round < o.migrations() % o.rounds() ? 1 : 0);
                long s = System.nanoTime();
                res.migrating.add(rate(probes, window, () ->
                        paced(count, window, i -> migrateBusy(space, views, control, probes, res))));
                res.migratingSeconds += (System.nanoTime() - s) / 1e9;
            }
            res.quiet.add(rate(probes, window, null));
        } catch (MigrationFailed e) {
            res.failure = e.getMessage();
        } finally {
            control.stop = true;
            gate.countDown();
            for (Thread t : workers) {
                t.join();
            }
            space.close();
        }
        System.out.println(res.failure == null ? "done" : "FAILED");
        return res;
    }

    /** One recorded (res != null) or warm-up migration of the loop workers. */
    static void migrateBusy(ViewSpace space, Views views, Control control, AtomicReferenceArray<Probe> probes, Result res)
            throws InterruptedException, MigrationFailed {
        View target = views.next();
        final long request = System.nanoTime();
        control.requestNanos = request;
        Migration m = space.migrate(target).allThreads().makeDefault().start();
        long started = System.nanoTime();
        MigrationReport report = await(m);
        views.migrated();
        // each worker publishes its own record just after its quiescent() call returned
        long deadline = System.nanoTime() + AWAIT.toNanos();
        for (int i = 0; i < probes.length(); i++) {
            Probe p = probes.get(i);
            while (p.movedFor() != request) {
                if (System.nanoTime() - deadline > 0) {
                    throw new MigrationFailed("worker " + i + " did not record its move for migration " + m.id());
                }
                LockSupport.parkNanos(20_000);
            }
        }
        if (res == null) {
            return;
        }
        res.startCost.recordValue(started - request);
        res.migrationMax.recordValue(report.maxDelay().toNanos());
        recordDelays(report, res);
        long longestAdopt = 0;
        for (int i = 0; i < probes.length(); i++) {
            Probe p = probes.get(i);
            longestAdopt = Math.max(longestAdopt, p.moveAfterNanos - p.moveBeforeNanos);
            res.endToEnd.recordValue(Math.max(0, p.moveAfterNanos - request));
            res.nextPoint.recordValue(Math.max(0, p.firstPointNanos - request));
            res.excess.recordValue(Math.max(0, p.moveAfterNanos - p.firstPointNanos));
            res.adoptCall.recordValue(Math.max(0, p.moveAfterNanos - p.moveBeforeNanos));
            if (p.points == 1) {
                res.firstPointMoves++;
            }
            if (p.lastMissNanos > started) {   // passed a quiescence point after its ticket was installed
                res.missedAfterStart++;
            }
        }
        res.adoptCallMax.recordValue(Math.max(0, longestAdopt));
    }

    /** idle: a QuiescentThreadPool with no tasks; every worker is blocked in take(). */
    static Result runIdleScenario(Options o, int n) throws InterruptedException {
        String name = "idle pool " + n;
        Result res = new Result(name, "idle", n, 0);
        System.out.printf(Locale.ROOT, "running %-22s ... ", name);
        System.out.flush();
        ViewSpace space = ViewSpace.create("bench-idle-" + n);
        QuiescentThreadPool pool = QuiescentThreadPool.create(space, n, "idle");
        try {
            awaitIdle(space, n);
            Views views = new Views(space, o.freshViews());
            for (int i = 0; i < o.warmupMigrations() + o.migrations(); i++) {
                boolean recorded = i >= o.warmupMigrations();
                View target = views.next();
                long request = System.nanoTime();
                Migration m = space.migrate(target).executor(pool).makeDefault().start();
                long started = System.nanoTime();
                MigrationReport report = await(m);
                views.migrated();
                if (recorded) {
                    res.startCost.recordValue(started - request);
                    res.migrationMax.recordValue(report.maxDelay().toNanos());
                    recordDelays(report, res);
                }
                LockSupport.parkNanos(seconds(o.windowSeconds()) / o.migrations());
            }
            // check: every worker runs its next task in the view it was moved to while idle
            long expected = space.defaultView().id();
            int tasks = 4 * n;
            AtomicInteger wrong = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(tasks);
            for (int i = 0; i < tasks; i++) {
                pool.execute(() -> {
                    if (space.current().id() != expected) {
                        wrong.incrementAndGet();
                    }
                    done.countDown();
                });
            }
            if (!done.await(10, TimeUnit.SECONDS)) {
                throw new MigrationFailed("check tasks did not finish");
            }
            res.note = wrong.get() == 0 ? tasks + " check tasks ran in the new view"
                    : wrong.get() + " of " + tasks + " check tasks ran in an OLD view";
        } catch (MigrationFailed e) {
            res.failure = e.getMessage();
        } finally {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
            space.close();
        }
        System.out.println(res.failure == null ? "done" : "FAILED");
        return res;
    }

    private static void awaitIdle(ViewSpace space, int n) throws InterruptedException, MigrationFailed {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (space.snapshot().threads().stream().filter(t -> t.idle()).count() < n) {
            if (System.nanoTime() - deadline > 0) {
                throw new MigrationFailed("pool workers did not become idle");
            }
            Thread.sleep(5);
        }
    }

    private static void recordDelays(MigrationReport report, Result res) {
        for (ThreadProgress tp : report.threads()) {
            res.samples++;
            if (tp.state() == ThreadMigrationState.MIGRATED && tp.delay().isPresent()) {
                res.delay.recordValue(tp.delay().get().toNanos());
            } else {
                res.notMigrated++;
            }
        }
    }

    private static MigrationReport await(Migration m) throws InterruptedException, MigrationFailed {
        try {
            return m.await(AWAIT);
        } catch (MigrationTimeoutException e) {
            m.cancel();
            throw new MigrationFailed(e.getMessage());
        }
    }

    /** The two views migrated between (or a fresh view each time, retiring the previous one). */
    static final class Views {
        private final ViewSpace space;
        private final boolean fresh;
        private final View a;
        private final View b;
        private View previous;
        private int count;

        Views(ViewSpace space, boolean fresh) {
            this.space = space;
            this.fresh = fresh;
            this.a = space.baseView();
            this.b = fresh ? null : space.derive(a, "other").publish();
        }

        View next() {
            previous = space.defaultView();
            if (fresh) {
                return space.derive(previous, "v" + ++count).publish();
            }
            return previous == a ? b : a;
        }

        /** After the migration completed: in fresh mode, the view left behind is retired. */
        void migrated() {
            if (fresh) {
                previous.retire();
            }
        }
    }

    // ================================================================ pacing and rates

    @FunctionalInterface
    interface Step {
        void run(int i) throws InterruptedException, MigrationFailed;
    }

    @FunctionalInterface
    interface Body {
        void run() throws InterruptedException, MigrationFailed;
    }

    /** Runs {@code count} steps evenly spread over {@code windowNanos} (each starts no earlier than its slot). */
    static void paced(int count, long windowNanos, Step step) throws InterruptedException, MigrationFailed {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            // jitter inside the slot so requests do not lock onto the workers' phase
            long slot = windowNanos / count;
            long at = start + i * slot + (long) (Math.random() * slot / 2);
            sleepUntil(at);
            step.run(i);
        }
    }

    /** Worker iterations per second over a window of {@code windowNanos}, or as long as {@code body} runs if longer. */
    static double rate(AtomicReferenceArray<Probe> probes, long windowNanos, Body body)
            throws InterruptedException, MigrationFailed {
        long n0 = iterations(probes);
        long t0 = System.nanoTime();
        if (body != null) {
            body.run();
        }
        sleepUntil(t0 + windowNanos);
        long n1 = iterations(probes);
        long t1 = System.nanoTime();
        return (n1 - n0) / ((t1 - t0) / 1e9);
    }

    private static long iterations(AtomicReferenceArray<Probe> probes) {
        long sum = 0;
        for (int i = 0; i < probes.length(); i++) {
            sum += probes.get(i).iterations();
        }
        return sum;
    }

    private static void awaitAllPublished(AtomicReferenceArray<Probe> probes) throws MigrationFailed {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        for (int i = 0; i < probes.length(); i++) {
            while (probes.get(i) == null) {
                if (System.nanoTime() - deadline > 0) {
                    throw new MigrationFailed("worker " + i + " did not start");
                }
                LockSupport.parkNanos(100_000);
            }
        }
    }

    private static void sleepUntil(long nanoTime) {
        for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    private static long seconds(double s) {
        return (long) (s * 1e9);
    }

    static final class MigrationFailed extends Exception {
        private static final long serialVersionUID = 1L;

        MigrationFailed(String message) {
            super(message);
        }
    }

    // ================================================================ output

    static void print(List<Result> results) {
        System.out.println();
        System.out.println("Delay per thread, request -> moved: delay = MigrationReport ThreadProgress.delay();");
        System.out.println("e2e = harness clock, before start() -> back from quiescent() in the new view (idle: the start() call, marked *); µs");
        System.out.printf(Locale.ROOT, "%-22s %5s %6s %7s %9s %9s %9s %8s %12s | %9s %9s %9s%n",
                "scenario", "thr", "W(µs)", "samples", "delay p50", "p99", "max", "max/W", "mig.max p50",
                "e2e p50", "p99", "max");
        for (Result r : results) {
            if (r.failure != null) {
                System.out.printf(Locale.ROOT, "%-22s FAILED: %s%n", r.name, r.failure.lines().findFirst().orElse(""));
                continue;
            }
            Histogram e2e = r.kind.equals("idle") ? r.startCost : r.endToEnd;
            String mark = r.kind.equals("idle") ? "*" : "";
            System.out.printf(Locale.ROOT, "%-22s %5d %6s %7d %9s %9s %9s %8s %12s | %9s %9s %9s%n",
                    r.name, r.threads, r.workMicros == 0 ? "-" : Integer.toString(r.workMicros), r.samples,
                    us(r.delay.getValueAtPercentile(50)), us(r.delay.getValueAtPercentile(99)), us(r.delay.getMaxValue()),
                    r.workMicros == 0 ? "-" : String.format(Locale.ROOT, "%.2f", r.delay.getMaxValue() / 1000.0 / r.workMicros),
                    us(r.migrationMax.getValueAtPercentile(50)),
                    us(e2e.getValueAtPercentile(50)) + mark, us(e2e.getValueAtPercentile(99)) + mark, us(e2e.getMaxValue()) + mark);
        }

        System.out.println();
        System.out.println("Against the natural baseline (worker timestamps): next QP = request -> first quiescence point after it;");
        System.out.println("excess = that point -> back from quiescent() in the new view; adopt = the quiescent() call that moved it");
        System.out.println("(last = per migration, the longest such call); start() = operator's call; all µs");
        System.out.printf(Locale.ROOT, "%-22s %10s %9s %9s | %10s %9s %9s | %9s %7s | %9s %9s %9s | %9s %9s%n",
                "scenario", "nextQP p50", "p99", "max", "excess p50", "p99", "max", "at 1st QP", "missed",
                "adopt p50", "p99", "last p50", "start p50", "max");
        for (Result r : results) {
            if (r.failure != null) {
                continue;
            }
            boolean loop = !r.kind.equals("idle");
            System.out.printf(Locale.ROOT, "%-22s %10s %9s %9s | %10s %9s %9s | %9s %7s | %9s %9s %9s | %9s %9s%n",
                    r.name,
                    loop ? us(r.nextPoint.getValueAtPercentile(50)) : "0", loop ? us(r.nextPoint.getValueAtPercentile(99)) : "0",
                    loop ? us(r.nextPoint.getMaxValue()) : "0",
                    loop ? us(r.excess.getValueAtPercentile(50)) : "-", loop ? us(r.excess.getValueAtPercentile(99)) : "-",
                    loop ? us(r.excess.getMaxValue()) : "-",
                    loop ? String.format(Locale.ROOT, "%.1f%%", 100.0 * r.firstPointMoves / Math.max(1, r.samples)) : "-",
                    loop ? Long.toString(r.missedAfterStart) : "-",
                    loop ? us(r.adoptCall.getValueAtPercentile(50)) : "-", loop ? us(r.adoptCall.getValueAtPercentile(99)) : "-",
                    loop ? us(r.adoptCallMax.getValueAtPercentile(50)) : "-",
                    us(r.startCost.getValueAtPercentile(50)), us(r.startCost.getMaxValue()));
        }

        System.out.println();
        System.out.println("Worker throughput, iterations/s summed over workers; each migrating window vs the mean of the quiet windows around it");
        System.out.printf(Locale.ROOT, "%-22s %12s %12s %11s %17s %13s %8s%n",
                "scenario", "quiet mean", "migr. mean", "ratio mean", "ratio min..max", "quiet spread", "migr.(s)");
        for (Result r : results) {
            if (r.failure != null || r.kind.equals("idle") || r.migrating.isEmpty()) {
                continue;
            }
            double min = Double.MAX_VALUE;
            double max = 0;
            double sum = 0;
            for (int i = 0; i < r.migrating.size(); i++) {
                double ratio = r.migrating.get(i) / ((r.quiet.get(i) + r.quiet.get(i + 1)) / 2);
                min = Math.min(min, ratio);
                max = Math.max(max, ratio);
                sum += ratio;
            }
            double qmin = r.quiet.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double qmax = r.quiet.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            System.out.printf(Locale.ROOT, "%-22s %12.0f %12.0f %11.3f %8.3f..%-8.3f %12s %8.2f%n",
                    r.name, mean(r.quiet), mean(r.migrating), sum / r.migrating.size(), min, max,
                    String.format(Locale.ROOT, "±%.0f%%", 100 * (qmax - qmin) / (qmax + qmin)), r.migratingSeconds);
        }
        for (Result r : results) {
            if (r.failure != null) {
                System.out.printf(Locale.ROOT, "failure: %s:%n", r.name);
                r.failure.lines().limit(14).forEach(l -> System.out.println("    " + l));
            }
            if (r.notMigrated > 0) {
                System.out.printf(Locale.ROOT, "note: %s: %d thread entries did not end MIGRATED%n", r.name, r.notMigrated);
            }
            if (!r.note.isEmpty()) {
                System.out.printf(Locale.ROOT, "note: %s: %s%n", r.name, r.note);
            }
        }
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static String us(long nanos) {
        double u = nanos / 1000.0;
        return u < 100 ? String.format(Locale.ROOT, "%.1f", u) : String.format(Locale.ROOT, "%.0f", u);
    }
}
