package dev.atlas.demo.load;

import java.nio.charset.StandardCharsets;

/**
 * Which request is number {@code i}: {@code POST /orders} for {@code ordersPercent} percent
 * of the requests and {@code GET /quote} otherwise, for SKU {@code P<(i * 7919) mod catalog>}
 * and quantity {@code 1 + i mod 20} (so some requests hit the 10-unit bulk discount).
 * Deterministic, so runs are comparable. Immutable.
 *
 * {@snippet class=dev.atlas.demo.snippets.HarnessSnippets region=request-mix}
 */
public final class RequestMix {
    private final int catalog;
    private final int ordersPercent;

    /**
     * @param catalog       products in the service's catalog
     * @param ordersPercent share of {@code POST /orders}, 0 to 100
     */
    public RequestMix(int catalog, int ordersPercent) {
        if (catalog < 1) {
            throw new IllegalArgumentException("catalog size is " + catalog + ", expected at least 1");
        }
        if (ordersPercent < 0 || ordersPercent > 100) {
            throw new IllegalArgumentException("orders percent is " + ordersPercent + ", expected 0 to 100");
        }
        this.catalog = catalog;
        this.ordersPercent = ordersPercent;
    }

    /** True if request {@code sequence} is an order. */
    public boolean isOrder(long sequence) {
        return Math.floorMod(sequence * 37, 100) < ordersPercent;
    }

    /** The bytes of HTTP/1.1 request {@code sequence} (keep-alive) for {@code host} ({@code host:port}). */
    public byte[] request(long sequence, String host) {
        String sku = "P%03d".formatted(Math.floorMod(sequence * 7919, catalog));
        long qty = 1 + Math.floorMod(sequence, 20);
        String text;
        if (isOrder(sequence)) {
            String body = "sku=" + sku + "&qty=" + qty;
            text = "POST /orders HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        } else {
            text = "GET /quote?sku=" + sku + "&qty=" + qty + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        }
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
