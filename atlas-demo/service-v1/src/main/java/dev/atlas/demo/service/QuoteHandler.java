package dev.atlas.demo.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;

/** {@code GET /quote?sku=P007&qty=10}: {@code {"sku":"P007","qty":10,"totalCents":12345}}. */
public final class QuoteHandler implements HttpHandler {
    private final Catalog catalog;
    private final Pricing pricing;
    private final Inventory inventory;

    public QuoteHandler(Catalog catalog, Pricing pricing, Inventory inventory) {
        this.catalog = catalog;
        this.pricing = pricing;
        this.inventory = inventory;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!Http.requireMethod(exchange, "GET")) {
                return;
            }
            VersionTrace trace = new VersionTrace();
            trace.part("v1");
            try {
                Query query = Query.parse(exchange.getRequestURI().getRawQuery());
                Product product = catalog.lookup(query.sku());
                long total = pricing.quote(product, query.qty(), trace);
                if (!inventory.available(product.sku(), query.qty())) {
                    throw new BadRequestException(409, "not enough " + product.sku() + " in stock");
                }
                int days = catalog.shippingDays(product, query.qty(), trace);
                Http.respond(exchange, 200, trace, "{\"sku\":\"" + product.sku() + "\",\"qty\":" + query.qty()
                        + ",\"totalCents\":" + total + ",\"shipsInDays\":" + days + "}");
            } catch (BadRequestException e) {
                Http.error(exchange, e.status(), e.getMessage());
            }
        }
    }
}
