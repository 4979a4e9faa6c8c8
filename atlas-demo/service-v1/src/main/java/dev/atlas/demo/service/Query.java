package dev.atlas.demo.service;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The {@code sku} and {@code qty} of a quote or an order, parsed from {@code sku=P007&qty=3}
 * (a URL query or a form body).
 *
 * @param sku the product's SKU
 * @param qty units, from 1 to {@value #MAX_QTY}
 */
public record Query(String sku, int qty) {
    public static final int MAX_QTY = 10_000;

    /** Parses {@code text}; a missing or malformed field is a {@link BadRequestException} naming it. */
    public static Query parse(String text) {
        String sku = null;
        String qty = null;
        if (text != null) {
            for (String pair : text.split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String key = pair.substring(0, eq);
                String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                switch (key) {
                    case "sku" -> sku = value;
                    case "qty" -> qty = value;
                    default -> { }
                }
            }
        }
        if (sku == null || sku.isEmpty()) {
            throw new BadRequestException(400, "missing 'sku', expected e.g. sku=P007&qty=3");
        }
        if (qty == null) {
            throw new BadRequestException(400, "missing 'qty', expected e.g. sku=P007&qty=3");
        }
        int n;
        try {
            n = Integer.parseInt(qty);
        } catch (NumberFormatException e) {
            throw new BadRequestException(400, "'qty' is '" + qty + "', expected a whole number from 1 to " + MAX_QTY);
        }
        if (n < 1 || n > MAX_QTY) {
            throw new BadRequestException(400, "'qty' is " + n + ", expected a whole number from 1 to " + MAX_QTY);
        }
        return new Query(sku, n);
    }
}
