package dev.atlas.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Load of tagged requests, in one of two shapes: <em>closed loop</em>, client threads of their
 * own that each send the next request when the previous one answered; or <em>open loop</em>
 * ({@link #openLoop}), requests sent at a fixed rate by their arrival time whatever the earlier
 * ones do, each on a virtual thread of its own, its latency counted from its intended send time
 * (so a pause of the server or of the generator is charged in full to the requests it delayed:
 * no coordinated omission); at most {@link #OPEN_LOOP_IN_FLIGHT} requests are in flight at once,
 * so a server slower than the rate gets a queue of late sends (charged to their latency, reported
 * as send lag and a lower achieved rate) rather than thousands of connections. Paths are sent
 * round-robin. A response body starts with three version tags written at the start, the
 * middle and the end of the request ({@code v1-v1-v1}, possibly followed by a space and more);
 * a request is <em>mixed</em> when they differ. Each outcome is recorded under the
 * <em>phase</em> in force when its request was sent and still in force when its response came;
 * a request that straddles a phase change (the server may have started it after the next
 * command began) is recorded under {@link #STRADDLING}, where only the absence of mixed
 * versions holds.
 *
 * {@snippet :
 * try (TaggedLoad load = TaggedLoad.openLoop(300, List.of("/tag"), TaggedLoad.http(port))) {
 *     load.awaitRequests(0, 300);
 *     load.phase(1);   // e.g. while a patch is applied
 *     // ...
 *     System.out.println(load.rate());   // the rate the run achieved
 * }
 * }
 *
 * <p>Threading: {@link #phase}, the counters and {@link #close} may be used from any thread.
 *
 * <p>Implementation notes: the open loop's one scheduler thread parks until request {@code i}'s
 * intended time {@code start + i / rate}, takes one of the in-flight slots, reads the phase, starts
 * the request on a new virtual thread and moves on; it waits for an answer only when all slots are
 * taken. When it falls behind (its own pauses, or a server holding every slot), the late requests go
 * out as soon as it can send them, and {@link Rate#maxSendLagMs} says by how much it fell behind.
 */
public final class TaggedLoad implements AutoCloseable {
    /** The phase key of requests sent in one phase and answered in another. */
    public static final int STRADDLING = -1;

    /** The open loop's bound on requests in flight (at 300 requests/s of 10 ms, about 3 are). */
    public static final int OPEN_LOOP_IN_FLIGHT = 64;

    /**
     * One request of the load: sends a request for {@code path} and returns the response body, or
     * throws when the request failed (an error status, a broken connection). Called from the load's
     * client threads at once; closed by {@link TaggedLoad#close} after they stopped.
     */
    @FunctionalInterface
    public interface Exchange extends AutoCloseable {
        String send(String path) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    /**
     * What a load achieved up to now.
     *
     * @param target        the open loop's rate (requests per second), 0 for a closed loop
     * @param sent          requests sent
     * @param answered      requests answered (successfully or not)
     * @param seconds       from the first request's intended time to now (or to {@link #close})
     * @param maxInFlight   most requests sent and not yet answered at once
     * @param maxSendLagMs  the open loop's largest delay of a send behind its intended time
     */
    public record Rate(int target, long sent, long answered, double seconds, long maxInFlight, double maxSendLagMs) {
        /** Answered requests per second. */
        public double achieved() {
            return seconds <= 0 ? 0 : answered / seconds;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s%d sent, %d answered in %.1f s (%.0f per second), "
                            + "at most %d in flight%s", target > 0 ? "open loop at " + target + "/s: " : "closed loop: ",
                    sent, answered, seconds, achieved(), maxInFlight,
                    target > 0 ? String.format(java.util.Locale.ROOT, ", sends at most %.1f ms late", maxSendLagMs) : "");
        }
    }

    private final Exchange exchange;
    private final List<String> paths;
    private final int rate;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong maxInFlight = new AtomicLong();
    private volatile long maxSendLagNanos;
    private final java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(OPEN_LOOP_IN_FLIGHT);
    private final long startNanos = System.nanoTime();
    private volatile long endNanos;
    private final Map<Integer, Map<String, AtomicLong>> outcomes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>();   // {sent, latency} in ns
    private volatile int phase;
    private volatile boolean stop;
    /** Intended send time of each request sent and not answered yet, by request number (at most the slots). */
    private final Map<Long, Long> pending = new ConcurrentHashMap<>();
    private final AtomicLong requestNumbers = new AtomicLong();
    /** The open loop's intended time of the next request it has not sent yet (it sends in order). */
    private volatile long unsentFrom = startNanos;

    /** HTTP/1.1 GET requests to {@code http://127.0.0.1:port} + each path; a status other than 200 is a failure. */
    public TaggedLoad(int port, int clients, List<String> paths) {
        this(clients, paths, http(port));
    }

    /** Requests made by {@code exchange} (another protocol, e.g. gRPC), one path after the other per client. */
    public TaggedLoad(int clients, List<String> paths, Exchange exchange) {
        this(java.util.Objects.requireNonNull(exchange, "exchange"), paths, 0);
        if (clients < 1) {
            throw new IllegalArgumentException("clients is " + clients + ", expected at least 1");
        }
        for (int i = 0; i < clients; i++) {
            int first = i;
            threads.add(Thread.ofPlatform().daemon().name("client-" + i).start(() -> closedLoop(first)));
        }
    }

    private TaggedLoad(Exchange exchange, List<String> paths, int rate) {
        this.exchange = exchange;
        this.paths = List.copyOf(paths);
        this.rate = rate;
        if (this.paths.isEmpty()) {
            throw new IllegalArgumentException("no paths to send, expected at least one");
        }
    }

    /**
     * An open loop: {@code rate} requests per second made by {@code exchange}, request {@code i}
     * due at {@code start + i / rate} and sent on a virtual thread of its own.
     *
     * @param rate requests per second, 1 to 100000
     */
    public static TaggedLoad openLoop(int rate, List<String> paths, Exchange exchange) {
        if (rate < 1 || rate > 100_000) {
            throw new IllegalArgumentException("rate is " + rate + " requests/s, expected 1 to 100000");
        }
        TaggedLoad load = new TaggedLoad(java.util.Objects.requireNonNull(exchange, "exchange"), paths, rate);
        load.threads.add(Thread.ofPlatform().daemon().name("open-loop").start(load::openLoop));
        return load;
    }

    /** HTTP/1.1 GET requests to {@code http://127.0.0.1:port} + the path; a status other than 200 is a failure. */
    public static Exchange http(int port) {
        return new HttpExchange(port, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build());
    }

    private void closedLoop(int next) {
        while (!stop) {
            int p = phase;
            String path = paths.get(next++ % paths.size());
            long number = requestNumbers.incrementAndGet();
            long intended = System.nanoTime();
            pending.put(number, intended);
            if (!exchange(p, path, intended, number)) {
                return;
            }
        }
    }

    private void openLoop() {
        for (long i = 0; !stop; i++) {
            long intended = startNanos + i * 1_000_000_000L / rate;
            long now;
            while ((now = System.nanoTime()) < intended && !stop) {
                LockSupport.parkNanos(intended - now);
            }
            try {
                while (!stop && !slots.tryAcquire(10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    // every slot taken: this request goes out late, its latency still counted from intended
                }
            } catch (InterruptedException e) {
                return;
            }
            if (stop) {
                return;
            }
            maxSendLagNanos = Math.max(maxSendLagNanos, System.nanoTime() - intended);
            int p = phase;
            String path = paths.get((int) (i % paths.size()));
            long number = requestNumbers.incrementAndGet();
            pending.put(number, intended);
            unsentFrom = startNanos + (i + 1) * 1_000_000_000L / rate;
            Thread.ofVirtual().name("request-" + i).start(() -> {
                try {
                    exchange(p, path, intended, number);
                } finally {
                    slots.release();
                }
            });
        }
    }

    /** Request {@code number} of phase {@code p}, due at {@code intended}; false when interrupted. */
    private boolean exchange(int p, String path, long intended, long number) {
        sent.incrementAndGet();
        long now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            String body = exchange.send(path);
            samples.add(new long[] {intended, System.nanoTime() - intended});
            record(phase == p ? p : STRADDLING, body);
            return true;
        } catch (InterruptedException e) {
            return false;
        } catch (Exception e) {
            if (!stop) {
                failures.add("phase " + p + " " + path + ": " + e);
                if (rate == 0) {
                    LockSupport.parkNanos(1_000_000);
                }
            }
            return true;
        } finally {
            inFlight.decrementAndGet();
            answered.incrementAndGet();
            pending.remove(number);
        }
    }

    /**
     * Waits until every request due before {@code to} (a {@link System#nanoTime()} value; for an open loop,
     * by intended send time, also those the loop has not sent yet) has been answered or has failed, so that
     * {@link #latencies} of a window ending at {@code to} holds all of its requests rather than the fast ones.
     * A load that was closed sends no more, so only the requests it did send count.
     *
     * @param bound how long to wait at most (a liveness bound, not a figure)
     * @throws AssertionError after {@code bound}, naming how many requests of the window were still outstanding
     *                        and the load's state (a server behind its load: a lower rate may be needed)
     */
    public void awaitAnsweredBefore(long to, Duration bound) {
        Await.until(() -> outstandingBefore(to) + " request(s) due before the window's end still unanswered"
                        + (stop || unsentFrom - to >= 0 || rate == 0 ? "" : " (the open loop has not sent all of them yet)")
                        + ": the server is behind its load; " + this, bound,
                () -> (stop || rate == 0 || unsentFrom - to >= 0) && outstandingBefore(to) == 0);
    }

    private long outstandingBefore(long to) {
        long n = 0;
        for (long intended : pending.values()) {
            if (intended - to < 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * Successful requests whose response came in [from, to) ({@link System#nanoTime()} values): throughput by
     * completion, which a backlog lowers, unlike the number of requests due in a window of an open loop.
     */
    public long completed(long from, long to) {
        long n = 0;
        for (long[] x : samples) {
            long done = x[0] + x[1];
            if (done - from >= 0 && done - to < 0) {
                n++;
            }
        }
        return n;
    }

    /** The rate achieved so far (or over the whole run, once closed). */
    public Rate rate() {
        long end = endNanos != 0 ? endNanos : System.nanoTime();
        return new Rate(rate, sent.get(), answered.get(), (end - startNanos) / 1e9, maxInFlight.get(),
                maxSendLagNanos / 1e6);
    }

    private record HttpExchange(int port, HttpClient client) implements Exchange {
        @Override
        public String send(String path) throws IOException, InterruptedException {
            return httpGet(client, port, path);
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private static String httpGet(HttpClient client, int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + " " + r.body().lines().limit(3).toList());
        }
        return r.body();
    }

    private void record(int p, String body) {
        String tags = body.indexOf(' ') < 0 ? body : body.substring(0, body.indexOf(' '));
        String[] t = tags.split("-");
        String outcome = t.length == 3 && t[0].equals(t[1]) && t[1].equals(t[2]) ? t[0] : "mixed " + body;
        outcomes.computeIfAbsent(p, k -> new ConcurrentHashMap<>()).computeIfAbsent(outcome, k -> new AtomicLong())
                .incrementAndGet();
        if (bodies.size() < 4096) {
            bodies.add(p + " " + body);
        }
    }

    /** Requests sent from now on (and answered before the next phase) are recorded under {@code p}. */
    public void phase(int p) {
        phase = p;
    }

    /** Waits until at least {@code n} requests of phase {@code p} completed (liveness bound: {@link Await#BOUND}). */
    public void awaitRequests(int p, long n) {
        Await.until(() -> "only " + count(p) + " of " + n + " request(s) completed in phase " + p + "; " + this,
                Await.BOUND, () -> count(p) >= n);
    }

    public long count(int p) {
        return outcomes(p).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Outcome ({@code v1}, {@code v2} or {@code mixed <tags>}) -> number of responses, for phase {@code p}. */
    public Map<String, Long> outcomes(int p) {
        Map<String, Long> out = new TreeMap<>();
        outcomes.getOrDefault(p, Map.of()).forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /**
     * Latencies (ns) of the successful requests sent in [from, to) ({@link System#nanoTime()} values); for an
     * open loop, a request's send and latency count from its intended send time.
     */
    public long[] latencies(long from, long to) {
        return samples.stream().filter(x -> x[0] >= from && x[0] < to).mapToLong(x -> x[1]).toArray();
    }

    /**
     * Successful requests answered in [from, to) ({@link System#nanoTime()} values): the throughput a
     * window saw, which an open loop's count of requests sent cannot show (it sends on time regardless).
     */
    public long answeredBetween(long from, long to) {
        long n = 0;
        for (long[] x : samples) {
            long answered = x[0] + x[1];
            if (answered >= from && answered < to) {
                n++;
            }
        }
        return n;
    }

    public long mixed() {
        long n = 0;
        for (Map<String, AtomicLong> m : outcomes.values()) {
            for (var e : m.entrySet()) {
                if (e.getKey().startsWith("mixed")) {
                    n += e.getValue().get();
                }
            }
        }
        return n;
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Response bodies of phase {@code p} (the first few thousand of the run). */
    public List<String> bodies(int p) {
        String prefix = p + " ";
        return bodies.stream().filter(b -> b.startsWith(prefix)).map(b -> b.substring(prefix.length())).toList();
    }

    @Override
    public void close() throws Exception {
        if (!stop) {
            endNanos = System.nanoTime();
        }
        stop = true;
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(35));
        }
        Await.until(() -> inFlight.get() + " request(s) still in flight after the load stopped", Duration.ofSeconds(35),
                () -> inFlight.get() == 0);
        exchange.close();
    }

    @Override
    public String toString() {
        Map<Integer, Map<String, Long>> all = new TreeMap<>();
        outcomes.keySet().forEach(p -> all.put(p, outcomes(p)));
        List<String> f = failures();
        return "outcomes by phase " + all + ", " + f.size() + " failure(s)" + (f.isEmpty() ? "" : " " + f.subList(0,
                Math.min(5, f.size()))) + "; " + rate() + (exchange instanceof HttpExchange ? "" : "; " + exchange);
    }
}
