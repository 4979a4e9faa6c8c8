package dev.atlas.cli.patch.it;

import dev.atlas.testsupport.SourceCompiler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The application that the integration tests patch: an HTTP server ({@code com.sun.net.httpserver},
 * a fixed pool of 4 worker threads named {@code worker-N}) whose {@code /tag} requests return a
 * version tag made of three patched methods called one after the other, with a pause between
 * the first two: {@code v1-v1-v1} in version 1, {@code v2-v2-v2} in version 2; anything else is
 * a request that saw two versions. {@code /tag?sleep=MS} sleeps in the middle of the request
 * (printing {@code SLEEPING <thread>} first): a straggler. {@code /tag?hold=1} waits in the
 * middle of the request (printing {@code HOLDING <thread>} first) until a {@code /release}
 * request comes: a straggler for as long as a test wants. The server prints {@code PORT <n>}
 * when it is ready and exits when its standard input closes. Every response names the worker
 * thread that served it ({@code X-Worker}); a request that throws gets status 500 with the
 * exception as its body.
 */
final class ShopApp {
    static final String PKG = "acme.shop";
    /** The classes whose code changes between versions. */
    static final List<String> CHANGED = List.of("acme/shop/Pricing", "acme/shop/Catalog", "acme/shop/Shipping");

    private ShopApp() {}

    static Map<String, String> sources(String v) {
        return Map.of(
                "acme/shop/Server.java", """
                        package acme.shop;

                        import com.sun.net.httpserver.HttpServer;
                        import java.net.InetAddress;
                        import java.net.InetSocketAddress;
                        import java.util.concurrent.ExecutorService;
                        import java.util.concurrent.Executors;
                        import java.util.concurrent.atomic.AtomicInteger;

                        public final class Server {
                            public static void main(String[] args) throws Exception {
                                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
                                AtomicInteger n = new AtomicInteger();
                                ExecutorService pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "worker-" + n.incrementAndGet()));
                                server.setExecutor(pool);
                                server.createContext("/tag", new TagHandler());
                                server.createContext("/release", new TagHandler());
                                server.start();
                                System.out.println("PORT " + server.getAddress().getPort());
                                System.out.flush();
                                while (System.in.read() >= 0) {
                                    // until the test closes our stdin
                                }
                                server.stop(0);
                                pool.shutdownNow();
                                System.exit(0);
                            }
                        }
                        """,
                "acme/shop/TagHandler.java", """
                        package acme.shop;

                        import com.sun.net.httpserver.HttpExchange;
                        import com.sun.net.httpserver.HttpHandler;
                        import java.io.IOException;
                        import java.io.OutputStream;
                        import java.nio.charset.StandardCharsets;
                        import java.util.concurrent.CountDownLatch;

                        public final class TagHandler implements HttpHandler {
                            private static final CountDownLatch RELEASE = new CountDownLatch(1);

                            @Override
                            public void handle(HttpExchange ex) throws IOException {
                                if (ex.getRequestURI().getPath().equals("/release")) {
                                    RELEASE.countDown();
                                    ex.sendResponseHeaders(204, -1);
                                    ex.close();
                                    return;
                                }
                                String q = ex.getRequestURI().getQuery();
                                long sleep = q != null && q.startsWith("sleep=") ? Long.parseLong(q.substring(6)) : 0;
                                int status = 200;
                                String tag;
                                try {
                                    tag = Pricing.tag();
                                    if (q != null && q.startsWith("hold=")) {
                                        hold();
                                    }
                                    pause(sleep);
                                    tag = tag + "-" + new Catalog().tag() + "-" + Shipping.tag();
                                } catch (RuntimeException e) {
                                    status = 500;
                                    tag = e.toString();
                                }
                                byte[] body = tag.getBytes(StandardCharsets.UTF_8);
                                ex.getResponseHeaders().add("X-Worker", Thread.currentThread().getName());
                                ex.sendResponseHeaders(status, body.length);
                                try (OutputStream os = ex.getResponseBody()) {
                                    os.write(body);
                                }
                            }

                            private static void hold() {
                                System.out.println("HOLDING " + Thread.currentThread().getName());
                                System.out.flush();
                                try {
                                    RELEASE.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }

                            private static void pause(long sleep) {
                                try {
                                    if (sleep > 0) {
                                        System.out.println("SLEEPING " + Thread.currentThread().getName());
                                        System.out.flush();
                                        Thread.sleep(sleep);
                                    } else {
                                        Thread.sleep(1);   // widens the window in which a patch could split a request
                                    }
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                        }
                        """,
                "acme/shop/Pricing.java", """
                        package acme.shop;

                        public final class Pricing {
                            static String tag() {
                                return "%s";
                            }
                        }
                        """.formatted(v),
                "acme/shop/Catalog.java", """
                        package acme.shop;

                        public final class Catalog {
                            private final String prefix = "v";

                            String tag() {
                                return prefix + number();
                            }

                            private static int number() {
                                return %s;
                            }
                        }
                        """.formatted(v.substring(1)),
                "acme/shop/Shipping.java", """
                        package acme.shop;

                        public final class Shipping {
                            static String tag() {
                                return "%s";
                            }
                        }
                        """.formatted(v));
    }

    /** Compiles version {@code v} ("v1", "v2") of the application into {@code dir}. */
    static Path compile(String v, Path dir) throws IOException {
        return compile(sources(v), dir);
    }

    /** Compiles the given sources (path -> text) into {@code dir}. */
    static Path compile(Map<String, String> sources, Path dir) throws IOException {
        return SourceCompiler.compileTo(dir, sources, "--release", "25");
    }

    /** The class file of {@code internalName} in a compiled version. */
    static byte[] classBytes(Path dir, String internalName) throws IOException {
        return Files.readAllBytes(dir.resolve(internalName + ".class"));
    }
}
