package it.reactor;

import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Reactor Netty 1.2 HTTP server: a route whose handler computes the body synchronously on the
 * event loop (as a blocking call in a handler would). Prints "PORT n".
 */
public final class ReactorNettyApp {
    private ReactorNettyApp() {}

    public static void main(String[] args) {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.get("/tag", (req, res) -> res.sendString(Tags.body())))
                .bindNow();
        System.out.println("PORT " + server.port());
        server.onDispose().block();
    }
}
