package dev.atlas.it.servers;

import java.util.List;

/**
 * Undertow 2.3 core handlers: the I/O thread hands each request to a worker thread
 * ({@code BlockingHandler}); the boundary is the outermost {@code io.undertow.server.HttpHandler#handleRequest}
 * on each thread (a default boundary), so the worker's whole invocation runs in one view.
 */
class UndertowIT extends ServerPatchingIT {
    @Override
    ServerCase server() {
        return new ServerCase("Undertow 2.3 / core handler", "it.undertow", "it.undertow.UndertowApp", List.of("/tag"), "");
    }
}
