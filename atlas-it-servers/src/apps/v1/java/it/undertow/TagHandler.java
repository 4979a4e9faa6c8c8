package it.undertow;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/** Runs on a worker thread (blocking mode): the request's work and the response in one invocation. */
public final class TagHandler implements HttpHandler {
    @Override
    public void handleRequest(HttpServerExchange exchange) throws InterruptedException {
        String first = Version.tag();
        Thread.sleep(10);   // the request's work
        String body = first + "-" + Work.tag() + "-" + Version.tag();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        exchange.getResponseSender().send(body);
    }
}
