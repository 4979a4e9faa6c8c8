package dev.atlas.demo.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;

/** {@code GET /health}: {@code {"status":"up","orders":{..}}}. */
public final class HealthHandler implements HttpHandler {
    private final OrderBook orders;

    public HealthHandler(OrderBook orders) {
        this.orders = orders;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Http.respond(exchange, 200, null, "{\"status\":\"up\",\"orders\":" + orders.summaryJson() + "}");
        }
    }
}
