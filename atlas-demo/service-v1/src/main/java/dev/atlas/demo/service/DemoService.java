package dev.atlas.demo.service;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo service: an {@link HttpServer} on the loopback interface whose exchanges run on a
 * fixed {@link ThreadPoolExecutor} of workers named {@code demo-worker-N}.
 *
 * {@snippet class=dev.atlas.demo.service.snippets.ServiceSnippets region=service}
 *
 * <p>Run as a program it prints {@value #READY_LINE_PREFIX}{@code port=<port> pid=<pid>} on
 * standard output once it accepts requests, and stops on SIGTERM (a shutdown hook stops the
 * server and the pool).
 */
public final class DemoService implements AutoCloseable {
    /** The start of the line printed once the service accepts requests. */
    public static final String READY_LINE_PREFIX = "atlas-demo-service ready ";

    /**
     * @param port          TCP port on 127.0.0.1 (0: any free port)
     * @param workers       threads of the worker pool
     * @param catalogSize   products in the catalog
     * @param historyLength price history length per product
     * @param passes        smoothing passes per quote; work per quote ~ historyLength x passes
     * @param inventoryMicros wait of the simulated inventory call in every quote and order
     */
    public record Config(int port, int workers, int catalogSize, int historyLength, int passes, int inventoryMicros) {
        public Config {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port is " + port + ", expected 0 to 65535");
            }
            if (workers < 1 || workers > 1_024) {
                throw new IllegalArgumentException("workers is " + workers + ", expected 1 to 1024");
            }
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor workers;

    private DemoService(HttpServer server, ThreadPoolExecutor workers) {
        this.server = server;
        this.workers = workers;
    }

    /** Builds the catalog, binds the port and starts serving. */
    public static DemoService start(Config config) throws IOException {
        Catalog catalog = new Catalog(config.catalogSize(), config.historyLength(), 42);
        Pricing pricing = new Pricing(config.passes());
        OrderBook orders = new OrderBook();
        Inventory inventory = new Inventory(config.inventoryMicros());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(config.workers(), config.workers(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), new WorkerThreads());
        pool.prestartAllCoreThreads();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 1024);
        server.setExecutor(pool);
        server.createContext("/quote", new QuoteHandler(catalog, pricing, inventory));
        server.createContext("/orders", new OrdersHandler(catalog, pricing, inventory, orders));
        server.createContext("/health", new HealthHandler(orders));
        server.start();
        return new DemoService(server, pool);
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops accepting, closes the server and stops the workers. */
    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }

    /** {@code --port N [--workers N] [--catalog N] [--history N] [--passes N] [--inventory-us N]}. */
    public static void main(String[] args) throws IOException {
        int port = -1;
        int workers = 16;
        int catalog = 200;
        int history = 2048;
        int passes = 24;
        int inventory = 3000;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                usage("option " + name + " needs a value");
            }
            int value = parse(name, args[++i]);
            switch (name) {
                case "--port" -> port = value;
                case "--workers" -> workers = value;
                case "--catalog" -> catalog = value;
                case "--history" -> history = value;
                case "--passes" -> passes = value;
                case "--inventory-us" -> inventory = value;
                default -> usage("unknown option " + name);
            }
        }
        if (port < 0) {
            usage("missing --port");
        }
        DemoService service;
        try {
            service = start(new Config(port, workers, catalog, history, passes, inventory));
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "demo-service-shutdown"));
        System.out.println(READY_LINE_PREFIX + "port=" + service.port() + " pid=" + ProcessHandle.current().pid());
        System.out.flush();
    }

    private static int parse(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            usage("option " + option + " is '" + value + "', expected a whole number");
            return 0;
        }
    }

    private static void usage(String problem) {
        System.err.println("atlas-demo-service: " + problem);
        System.err.println("usage: --port N [--workers N] [--catalog N] [--history N] [--passes N] [--inventory-us N]");
        System.exit(2);
    }

    private static final class WorkerThreads implements ThreadFactory {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            return new Thread(r, "demo-worker-" + next.incrementAndGet());
        }
    }
}
