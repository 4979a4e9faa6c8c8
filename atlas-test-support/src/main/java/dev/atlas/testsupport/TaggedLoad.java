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
 * Load from client threads of their own: each sends requests in a loop, round-robin over the
 * given paths. A response body starts with three version tags written at the start, the
 * middle and the end of the request ({@code v1-v1-v1}, possibly followed by a space and more);
 * a request is <em>mixed</em> when they differ. Each outcome is recorded under the
 * <em>phase</em> in force when its request was sent and still in force when its response came;
 * a request that straddles a phase change (the server may have started it after the next
 * command began) is recorded under {@link #STRADDLING}, where only the absence of mixed
 * versions holds.
 *
 * <p>Threading: {@link #phase}, the counters and {@link #close} may be used from any thread.
 */
public final class TaggedLoad implements AutoCloseable {
    /** The phase key of requests sent in one phase and answered in another. */
    public static final int STRADDLING = -1;

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

    private final HttpClient client;
    private final Exchange exchange;
    private final List<String> paths;
    private final List<Thread> threads = new ArrayList<>();
    private final Map<Integer, Map<String, AtomicLong>> outcomes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>();   // {sent, latency} in ns
    private volatile int phase;
    private volatile boolean stop;

    /** HTTP/1.1 GET requests to {@code http://127.0.0.1:port} + each path; a status other than 200 is a failure. */
    public TaggedLoad(int port, int clients, List<String> paths) {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build(),
                null, port, clients, paths);
    }

    /** Requests made by {@code exchange} (another protocol, e.g. gRPC), one path after the other per client. */
    public TaggedLoad(int clients, List<String> paths, Exchange exchange) {
        this(null, java.util.Objects.requireNonNull(exchange, "exchange"), 0, clients, paths);
    }

    private TaggedLoad(HttpClient client, Exchange exchange, int port, int clients, List<String> paths) {
        this.client = client;
        this.exchange = exchange != null ? exchange : path -> httpGet(port, path);
        this.paths = List.copyOf(paths);
        for (int i = 0; i < clients; i++) {
            int first = i;
            threads.add(Thread.ofPlatform().daemon().name("client-" + i).start(() -> loop(first)));
        }
    }

    private void loop(int next) {
        while (!stop) {
            int p = phase;
            String path = paths.get(next++ % paths.size());
            long sent = System.nanoTime();
            try {
                String body = exchange.send(path);
                samples.add(new long[] {sent, System.nanoTime() - sent});
                record(phase == p ? p : STRADDLING, body);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!stop) {
                    failures.add("phase " + p + " " + path + ": " + e);
                    LockSupport.parkNanos(1_000_000);
                }
            }
        }
    }

    private String httpGet(int port, String path) throws IOException, InterruptedException {
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

    /** Latencies (ns) of the successful requests sent in [from, to) ({@link System#nanoTime()} values). */
    public long[] latencies(long from, long to) {
        return samples.stream().filter(x -> x[0] >= from && x[0] < to).mapToLong(x -> x[1]).toArray();
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
        stop = true;
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(35));
        }
        if (client != null) {
            client.close();
        }
        exchange.close();
    }

    @Override
    public String toString() {
        Map<Integer, Map<String, Long>> all = new TreeMap<>();
        outcomes.keySet().forEach(p -> all.put(p, outcomes(p)));
        List<String> f = failures();
        return "outcomes by phase " + all + ", " + f.size() + " failure(s)" + (f.isEmpty() ? "" : " " + f.subList(0,
                Math.min(5, f.size()))) + (client == null ? "; " + exchange : "");
    }
}
