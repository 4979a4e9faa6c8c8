package it.grpc;

import java.net.InetSocketAddress;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

/**
 * gRPC-java on its shaded Netty, one unary method served twice: on gRPC's default executor
 * (a cached thread pool; prints "PORT n") and with {@code directExecutor()}, on the transport's
 * event loop (prints "DIRECT-PORT n").
 */
public final class GrpcApp {
    private GrpcApp() {}

    public static void main(String[] args) throws Exception {
        Server[] servers = start();
        System.out.println("PORT " + servers[0].getPort());
        System.out.println("DIRECT-PORT " + servers[1].getPort());
        servers[0].awaitTermination();
    }

    /** Starts both servers: {pooled, direct}. */
    public static Server[] start() throws java.io.IOException {
        Server pooled = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(TagService.definition()).build().start();
        Server direct = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
                .addService(TagService.definition()).build().start();
        return new Server[] {pooled, direct};
    }
}
