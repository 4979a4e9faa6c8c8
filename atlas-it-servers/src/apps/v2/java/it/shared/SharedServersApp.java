package it.shared;

import io.grpc.Server;
import it.grpc.GrpcApp;
import it.uservlet.UndertowServletApp;
import it.webflux.WebFluxApp;

/**
 * Three servers in one JVM (so that the suite starts one JVM for them): Spring WebFlux on
 * Reactor Netty, gRPC-java (default executor and direct executor) and Undertow's servlet
 * container. Prints "PORT n" (WebFlux), then
 * "PORTS webflux=n grpc=n grpc-direct=n uservlet=n".
 */
public final class SharedServersApp {
    private SharedServersApp() {}

    public static void main(String[] args) throws Exception {
        int webflux = WebFluxApp.start();
        Server[] grpc = GrpcApp.start();
        int uservlet = UndertowServletApp.start();
        System.out.println("PORT " + webflux);
        System.out.println("PORTS webflux=" + webflux + " grpc=" + grpc[0].getPort() + " grpc-direct=" + grpc[1].getPort()
                + " uservlet=" + uservlet);
        grpc[0].awaitTermination();
    }
}
