package it.grpc;

import java.net.InetSocketAddress;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

/**
 * gRPC-java on its shaded Netty, the service {@code it.Tags} (a unary method and one of each streaming kind)
 * served twice: on gRPC's default executor (a cached thread pool) and with {@code directExecutor()}, on the
 * transport's event loop. Prints "PORT n" (the pooled server), then "PORTS grpc=n grpc-direct=n".
 */
public final class GrpcApp {
    private GrpcApp() {}

    public static void main(String[] args) throws Exception {
        Server[] servers = start();
        System.out.println("PORT " + servers[0].getPort());
        System.out.println("PORTS grpc=" + servers[0].getPort() + " grpc-direct=" + servers[1].getPort());
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
