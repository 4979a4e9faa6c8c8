package it.vthread;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** The JDK's HTTP server with a virtual thread per request. Prints "PORT n". */
public final class VirtualThreadApp {
    private VirtualThreadApp() {}

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.createContext("/tag", new TagHandler());
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        System.out.println("PORT " + server.getAddress().getPort());
    }

    /** A named handler: a lambda or method reference would be a hidden class, which no agent can instrument. */
    static final class TagHandler implements HttpHandler {
        @Override
        public void handle(HttpExchange ex) throws IOException {
            VirtualThreadApp.handle(ex);
        }
    }

    private static void handle(HttpExchange ex) throws IOException {
        String first = Version.tag();
        try {
            Thread.sleep(10);   // the request's work
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = (first + "-" + Version.tag() + "-" + Version.tag()).getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
