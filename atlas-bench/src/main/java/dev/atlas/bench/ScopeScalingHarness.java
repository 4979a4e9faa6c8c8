package dev.atlas.bench;

import dev.atlas.core.View;
import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;
import org.openjdk.jmh.infra.Blackhole;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Does entering a scope get slower with a second thread? Measured with the controls
 * interleaved in time, for a machine shared with other work.
 *
 * <p>Run: {@code java -cp atlas-bench/target/atlas-bench.jar dev.atlas.bench.ScopeScalingHarness [rounds] [sliceMillis]}
 * (defaults 150 rounds of 20 ms slices, about 40 s).
 *
 * <p>Why not only JMH: JMH runs one benchmark after the other, so on a machine where other
 * processes come and go, the two-thread run of the operation under test and the two-thread
 * run of the control see different conditions, and two benchmark threads only contend if both
 * are on a CPU at the same time. Here every round runs every variant for one short slice,
 * in a random order, with one thread and then with two, so all variants see the same
 * conditions; each worker measures its own CPU time per slice, and only slices in which
 * the two workers together got at least 1.8 CPUs (they really ran at the same time) count
 * for the two-thread figure.
 *
 * <p>Variants (each consumes its result through a JMH {@link Blackhole}):
 * <ul>
 *   <li>{@code plainField}: read a field of a thread-confined object (floor);</li>
 *   <li>{@code threadLocalField}: {@code ThreadLocal.get()} and one field of the result
 *       (the hand-rolled baseline);</li>
 *   <li>{@code enterClose}: {@code try (ViewScope s = space.enter()) { bh.consume(s.view()); }};</li>
 *   <li>{@code enterCloseQuiescent}: the same plus {@code space.quiescent()};</li>
 *   <li>{@code sharedCounter} (negative control): {@code AtomicLong.incrementAndGet()} on one
 *       counter shared by both threads, an atomic write to a shared cache line;</li>
 *   <li>{@code falseSharing} (negative control): each thread stores to its own slot of a
 *       {@code long[2]}, plain (release) stores to two different fields of one cache line,
 *       which is what a per-thread field would cost if two threads' objects shared a line.</li>
 * </ul>
 * Reported: CPU time per operation (median over slices) with one thread and with two
 * (co-running slices only), and their ratio. Target for the atlas variants: a ratio of
 * about 1.0, like the first two; the controls show what a shared-line write looks like here.
 */
public final class ScopeScalingHarness {
    private static final String[] VARIANTS =
            {"plainField", "threadLocalField", "enterClose", "enterCloseQuiescent", "sharedCounter", "falseSharing"};
    private static final int BATCH = 1_000;

    private final ViewSpace space = ViewSpace.create("scaling");
    private final ThreadLocal<Holder> local;
    private final AtomicLong counter = new AtomicLong();
    private final AtomicLongArray slots = new AtomicLongArray(2);   // 16 bytes: one cache line
    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();

    // slice parameters, published by the barrier
    private volatile String variant;
    private volatile int activeThreads;
    private volatile long deadline;
    private volatile boolean stop;
    private final long[] ops = new long[2 * 16];    // padded: slot i*16
    private final long[] cpu = new long[2 * 16];

    private ScopeScalingHarness() {
        View base = space.baseView();
        local = ThreadLocal.withInitial(() -> new Holder(base));
    }

    record Holder(View view) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 150;
        long sliceMillis = args.length > 1 ? Long.parseLong(args[1]) : 20;
        new ScopeScalingHarness().run(rounds, sliceMillis);
    }

    private void run(int rounds, long sliceMillis) throws Exception {
        System.out.printf(Locale.ROOT, "ScopeScalingHarness: %s %s, %d CPUs, %d rounds x %d variants x {1,2} threads x %d ms%n",
                System.getProperty("java.vm.name"), Runtime.version(), Runtime.getRuntime().availableProcessors(),
                rounds, VARIANTS.length, sliceMillis);
        mx.setThreadCpuTimeEnabled(true);
        CyclicBarrier start = new CyclicBarrier(3);
        CyclicBarrier end = new CyclicBarrier(3);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            final int id = w;
            workers.add(Thread.ofPlatform().name("scaling-" + w).start(() -> worker(id, start, end)));
        }
        int warmup = Math.max(5, rounds / 10);
        // per variant: lists of per-op CPU ns for 1 thread, and for 2 threads in co-running slices
        List<List<Double>> one = new ArrayList<>();
        List<List<Double>> two = new ArrayList<>();
        int[] twoSlices = new int[VARIANTS.length];
        List<List<Double>> twoCpus = new ArrayList<>();
        for (int v = 0; v < VARIANTS.length; v++) {
            one.add(new ArrayList<>());
            two.add(new ArrayList<>());
            twoCpus.add(new ArrayList<>());
        }
        Random random = new Random(42);
        List<Integer> order = new ArrayList<>();
        for (int v = 0; v < VARIANTS.length; v++) {
            order.add(v);
        }
        for (int round = 0; round < warmup + rounds; round++) {
            Collections.shuffle(order, random);
            for (int threads = 1; threads <= 2; threads++) {
                for (int v : order) {
                    variant = VARIANTS[v];
                    activeThreads = threads;
                    long t0 = System.nanoTime();
                    deadline = t0 + sliceMillis * 1_000_000;
                    start.await();
                    end.await();
                    long wall = System.nanoTime() - t0;
                    if (round < warmup) {
                        continue;
                    }
                    long o = 0;
                    long c = 0;
                    for (int w = 0; w < threads; w++) {
                        o += ops[w * 16];
                        c += cpu[w * 16];
                    }
                    double perOp = (double) c / o;
                    if (threads == 1) {
                        one.get(v).add(perOp);
                    } else {
                        twoSlices[v]++;
                        twoCpus.get(v).add((double) c / wall);
                        if (c >= 0.9 * 2 * wall) {
                            two.get(v).add(perOp);
                        }
                    }
                }
            }
        }
        stop = true;
        start.await();
        for (Thread t : workers) {
            t.join();
        }
        space.close();

        System.out.printf(Locale.ROOT, "%n%-22s %14s %16s %10s %16s %14s%n", "variant", "1 thread ns/op", "2 threads ns/op",
                "2T / 1T", "co-run slices", "CPUs (2T) p50");
        for (int v = 0; v < VARIANTS.length; v++) {
            double a = median(one.get(v));
            double b = median(two.get(v));
            System.out.printf(Locale.ROOT, "%-22s %14.2f %16s %10s %16s %14.2f%n", VARIANTS[v], a,
                    two.get(v).isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", b),
                    two.get(v).isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", b / a),
                    two.get(v).size() + " of " + twoSlices[v], median(twoCpus.get(v)));
        }
        System.out.println("(CPU time per operation, median over slices; two threads: slices in which they got >= 1.8 CPUs)");
    }

    private void worker(int id, CyclicBarrier start, CyclicBarrier end) {
        Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        space.bindCurrentThread();
        Holder mine = new Holder(space.baseView());
        try {
            while (true) {
                start.await();
                if (stop) {
                    return;
                }
                long n = 0;
                long c0 = mx.getCurrentThreadCpuTime();
                if (id < activeThreads) {
                    String v = variant;
                    long until = deadline;
                    do {
                        switch (v) {
                            case "plainField" -> plainField(mine, bh);
                            case "threadLocalField" -> threadLocalField(bh);
                            case "enterClose" -> enterClose(bh);
                            case "enterCloseQuiescent" -> enterCloseQuiescent(bh);
                            case "sharedCounter" -> sharedCounter(bh);
                            case "falseSharing" -> falseSharing(id);
                            default -> throw new IllegalStateException(v);
                        }
                        n += BATCH;
                    } while (System.nanoTime() < until);
                }
                cpu[id * 16] = mx.getCurrentThreadCpuTime() - c0;
                ops[id * 16] = n;
                end.await();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void plainField(Holder h, Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            bh.consume(h.view);
        }
    }

    private void threadLocalField(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            bh.consume(local.get().view);
        }
    }

    private void enterClose(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            try (ViewScope s = space.enter()) {
                bh.consume(s.view());
            }
        }
    }

    private void enterCloseQuiescent(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            try (ViewScope s = space.enter()) {
                bh.consume(s.view());
            }
            bh.consume(space.quiescent());
        }
    }

    private void sharedCounter(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            bh.consume(counter.incrementAndGet());
        }
    }

    private void falseSharing(int id) {
        for (int i = 0; i < BATCH; i++) {
            slots.setRelease(id, slots.getPlain(id) + 1);
        }
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> c = new ArrayList<>(xs);
        Collections.sort(c);
        int n = c.size();
        return n % 2 == 1 ? c.get(n / 2) : (c.get(n / 2 - 1) + c.get(n / 2)) / 2;
    }
}
