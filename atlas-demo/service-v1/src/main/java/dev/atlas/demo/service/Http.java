package dev.atlas.demo.service;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writing responses: JSON bodies, the version header, errors. */
public final class Http {
    /** The response header that carries the request's {@link VersionTrace version tag}. */
    public static final String VERSION_HEADER = "X-Atlas-Version";

    private Http() {
    }

    /** Sends {@code json} with {@code status} and the version header from {@code trace}. */
    public static void respond(HttpExchange exchange, int status, VersionTrace trace, String json) throws IOException {
        if (trace != null) {
            exchange.getResponseHeaders().set(VERSION_HEADER, trace.tag());
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Sends a JSON error {@code {"error": message}}. */
    public static void error(HttpExchange exchange, int status, String message) throws IOException {
        respond(exchange, status, null, "{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
    }

    /** Answers {@code 405} unless the request's method is {@code method}; true if it is. */
    public static boolean requireMethod(HttpExchange exchange, String method) throws IOException {
        if (exchange.getRequestMethod().equals(method)) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", method);
        error(exchange, 405, "method " + exchange.getRequestMethod() + " not allowed, expected " + method);
        return false;
    }
}
