package it.exec;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A worker service: the HTTP front end hands each job to one of three executors
 * ({@code /tag?pool=tpe|fjp|vt}: a ThreadPoolExecutor, a ForkJoinPool, a
 * virtual-thread-per-task executor) and answers with what the job returned. Prints "PORT n".
 */
public final class ExecApp {
    static final ExecutorService TPE = new ThreadPoolExecutor(8, 8, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
    static final ExecutorService FJP = new ForkJoinPool(8);
    static final ExecutorService VT = Executors.newVirtualThreadPerTaskExecutor();

    private ExecApp() {}

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.createContext("/tag", ExecApp::handle);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.start();
        System.out.println("PORT " + server.getAddress().getPort());
    }

    private static void handle(HttpExchange ex) throws IOException {
        String q = String.valueOf(ex.getRequestURI().getQuery());
        ExecutorService pool = q.contains("fjp") ? FJP : q.contains("vt") ? VT : TPE;
        byte[] body;
        int status = 200;
        try {
            body = pool.submit(() -> Job.run()).get().getBytes(StandardCharsets.UTF_8);
        } catch (InterruptedException | ExecutionException e) {
            status = 500;
            body = e.toString().getBytes(StandardCharsets.UTF_8);
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
