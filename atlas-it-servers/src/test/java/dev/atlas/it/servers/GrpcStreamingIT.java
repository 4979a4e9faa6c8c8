package dev.atlas.it.servers;

import java.util.List;

/**
 * gRPC-java 1.71 on its shaded Netty ({@code it.grpc.GrpcApp}), streaming calls only, on gRPC's default executor
 * and with {@code directExecutor()} (the shaded Netty event loop): server-streaming, client-streaming and
 * bidirectional calls of {@link GrpcStreamingExchange}, round-robin. Pass: 0 failed calls, every unit (one
 * callback of a server call: a whole server-streaming call, one message of a client-streaming or bidi call) in
 * one version, no call across versions outside the commands. Unary calls: {@link ReactiveGrpcUndertowServletIT}.
 */
class GrpcStreamingIT extends ServerPatchingIT {
    static final ServerCase GRPC_STREAMS = new ServerCase("gRPC-java streaming calls", List.of("it.grpc"),
            "it.grpc.GrpcApp", List.of("grpc#server-stream", "grpc#client-stream", "grpc#bidi",
            "grpc-direct#server-stream", "grpc-direct#client-stream", "grpc-direct#bidi"), "", GrpcStreamingExchange.LOADS);

    @Override
    ServerCase server() {
        return GRPC_STREAMS;
    }
}
