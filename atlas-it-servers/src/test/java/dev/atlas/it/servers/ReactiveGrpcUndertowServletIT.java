package dev.atlas.it.servers;

import java.util.List;

/**
 * Three servers in one child JVM (one JVM start per case for the three): Spring WebFlux 6.2 on
 * Reactor Netty, gRPC-java 1.71 on its shaded Netty, and Undertow 2.3's servlet container. The
 * load sends, round-robin: WebFlux {@code /tag} (the body computed on the event loop, in the
 * {@code channelRead} that delivered the request) and {@code /offload} (computed on
 * {@code Schedulers.boundedElastic()}, one executor task); gRPC unary calls on the default
 * executor (a cached thread pool: the handler runs in one task of it) and with
 * {@code directExecutor()} (the handler runs on the shaded Netty event loop); Undertow servlet
 * {@code /tag} through a filter. All three packages are patched by one patch.
 */
class ReactiveGrpcUndertowServletIT extends ServerPatchingIT {
    static final ServerCase SHARED_JVM = new ServerCase("WebFlux+gRPC+Undertow servlet",
            List.of("it.webflux", "it.grpc", "it.uservlet"), "it.shared.SharedServersApp",
            List.of("webflux/tag", "grpc", "uservlet/tag", "webflux/offload", "grpc-direct"), "", ServerExchange.LOADS);

    @Override
    ServerCase server() {
        return SHARED_JVM;
    }
}
