package dev.atlas.demo.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code POST /orders} with body {@code sku=P007&qty=3}: {@code 201} and {@code {"order":17,"totalCents":..}}. */
public final class OrdersHandler implements HttpHandler {
    private static final int MAX_BODY = 1024;

    private final Catalog catalog;
    private final Pricing pricing;
    private final Inventory inventory;
    private final OrderBook orders;

    public OrdersHandler(Catalog catalog, Pricing pricing, Inventory inventory, OrderBook orders) {
        this.catalog = catalog;
        this.pricing = pricing;
        this.inventory = inventory;
        this.orders = orders;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!Http.requireMethod(exchange, "POST")) {
                return;
            }
            VersionTrace trace = new VersionTrace();
            trace.part("v1");
            try {
                byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY);
                Query query = Query.parse(new String(body, StandardCharsets.UTF_8));
                Product product = catalog.lookup(query.sku());
                long total = pricing.quote(product, query.qty(), trace);
                if (!inventory.available(product.sku(), query.qty())) {
                    throw new BadRequestException(409, "not enough " + product.sku() + " in stock");
                }
                int days = catalog.shippingDays(product, query.qty(), trace);
                long id = orders.place(product.sku(), query.qty(), total);
                Http.respond(exchange, 201, trace, "{\"order\":" + id + ",\"sku\":\"" + product.sku() + "\",\"qty\":"
                        + query.qty() + ",\"totalCents\":" + total + ",\"shipsInDays\":" + days + "}");
            } catch (BadRequestException e) {
                Http.error(exchange, e.status(), e.getMessage());
            }
        }
    }
}
