package dev.atlas.cli.patch.it;

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

/**
 * Client threads sending {@code /tag} requests in a loop. Each response is recorded with the
 * <em>phase</em> in force when its request was sent and still in force when its response came,
 * so a test can say: every request made after the patch command returned, and answered before
 * the next command began, saw the new version. A request that straddles a phase change (sent
 * in one phase, answered in another: the server may have started it after the next command
 * began) is recorded under {@link #STRADDLING}, where only the absence of mixed versions holds.
 */
final class TagLoad implements AutoCloseable {
    /** The phase key of requests sent in one phase and answered in another. */
    static final int STRADDLING = -1;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI uri;
    private final List<Thread> threads = new ArrayList<>();
    private final Map<Integer, Map<String, AtomicLong>> tagsByPhase = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile int phase;
    private volatile boolean stop;

    TagLoad(int port, int clients) {
        this.uri = URI.create("http://127.0.0.1:" + port + "/tag");
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().daemon().name("client-" + i).start(this::loop));
        }
    }

    private void loop() {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build();
        while (!stop) {
            int p = phase;
            try {
                HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    failures.add("phase " + p + ": HTTP " + r.statusCode() + " " + r.body());
                } else {
                    int key = phase == p ? p : STRADDLING;
                    tagsByPhase.computeIfAbsent(key, k -> new ConcurrentHashMap<>())
                            .computeIfAbsent(r.body(), k -> new AtomicLong()).incrementAndGet();
                }
            } catch (IOException e) {
                if (!stop) {
                    failures.add("phase " + p + ": " + e);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Requests sent from now on (and answered before the next phase) are recorded under {@code p}. */
    void phase(int p) {
        phase = p;
    }

    /** Waits until at least {@code n} requests of phase {@code p} completed (liveness bound: 60 s). */
    void awaitRequests(int p, long n) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count(p) < n) {
            if (System.nanoTime() > end) {
                throw new AssertionError("only " + count(p) + " request(s) completed in phase " + p + "; " + this);
            }
            Thread.sleep(10);
        }
    }

    long count(int p) {
        return tags(p).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Tag -> number of responses, for requests sent and answered in phase {@code p} (or {@link #STRADDLING}). */
    Map<String, Long> tags(int p) {
        Map<String, Long> out = new TreeMap<>();
        tagsByPhase.getOrDefault(p, Map.of()).forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(35));
        }
        client.close();
    }

    @Override
    public String toString() {
        Map<Integer, Map<String, Long>> all = new TreeMap<>();
        tagsByPhase.keySet().forEach(p -> all.put(p, tags(p)));
        return "tags by phase " + all + ", failures " + failures;
    }
}
