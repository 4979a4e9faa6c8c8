package dev.atlas.demo.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Sends the demo service's requests with {@link HttpClient} (HTTP/1.1, keep-alive
 * connections pooled by the client): request {@code i} is {@code POST /orders} for one in
 * {@code 100 / ordersPercent} requests and {@code GET /quote} otherwise, for SKU
 * {@code P<(i * 7919) mod catalog>} and quantity {@code 1 + i mod 20} (so some requests hit
 * the 10-unit bulk discount). Deterministic, so runs are comparable.
 *
 * {@snippet :
 * try (HttpSender sender = new HttpSender(URI.create("http://127.0.0.1:8080"), 200, 20, Duration.ofSeconds(5))) {
 *     Response r = sender.send(0).join();
 * }
 * }
 */
public final class HttpSender implements RequestSender, AutoCloseable {
    /** The response header that carries the version tag (the service's {@code Http.VERSION_HEADER}). */
    public static final String VERSION_HEADER = "X-Atlas-Version";

    private final URI base;
    private final int catalog;
    private final int ordersPercent;
    private final Duration timeout;
    private final ExecutorService executor;
    private final HttpClient client;

    /**
     * @param base          e.g. {@code http://127.0.0.1:8080}
     * @param catalog       products in the service's catalog
     * @param ordersPercent share of {@code POST /orders}, 0 to 100
     * @param timeout       a request without a complete response after this long fails
     */
    public HttpSender(URI base, int catalog, int ordersPercent, Duration timeout) {
        if (catalog < 1) {
            throw new IllegalArgumentException("catalog size is " + catalog + ", expected at least 1");
        }
        if (ordersPercent < 0 || ordersPercent > 100) {
            throw new IllegalArgumentException("orders percent is " + ordersPercent + ", expected 0 to 100");
        }
        this.base = base;
        this.catalog = catalog;
        this.ordersPercent = ordersPercent;
        this.timeout = timeout;
        this.executor = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("load-client-", 1).factory());
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .executor(executor)
                .build();
    }

    @Override
    public CompletableFuture<Response> send(long sequence) {
        String sku = "P%03d".formatted(Math.floorMod(sequence * 7919, catalog));
        long qty = 1 + Math.floorMod(sequence, 20);
        boolean order = ordersPercent > 0 && Math.floorMod(sequence * 37, 100) < ordersPercent;
        HttpRequest request = order
                ? HttpRequest.newBuilder(base.resolve("/orders")).timeout(timeout)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("sku=" + sku + "&qty=" + qty)).build()
                : HttpRequest.newBuilder(base.resolve("/quote?sku=" + sku + "&qty=" + qty)).timeout(timeout).GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .thenApply(r -> new Response(r.statusCode(), r.headers().firstValue(VERSION_HEADER).orElse(null)));
    }

    @Override
    public void close() {
        client.shutdownNow();
        executor.shutdownNow();
    }
}
