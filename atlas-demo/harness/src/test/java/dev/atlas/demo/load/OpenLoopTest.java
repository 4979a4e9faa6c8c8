package dev.atlas.demo.load;

import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The correction for coordinated omission: a request scheduled while the service (or the
 * generator) stalls is charged the time it waited. The assertions are lower bounds that
 * follow from the design (a request that could not be answered before the stall ended
 * cannot have a latency below "end of stall - intended time"), not timing expectations.
 */
class OpenLoopTest {
    private static final int RATE = 100;
    private static final long STALL_MILLIS = 300;

    /** Keeps each request's latency, keyed by its intended time. */
    private static final class PerRequest implements OutcomeSink {
        final Map<Long, Long> latency = new ConcurrentHashMap<>();
        final Map<Long, TagKind> tag = new ConcurrentHashMap<>();
        final AtomicLong failures = new AtomicLong();

        @Override
        public void success(long intendedNanos, long completedNanos, TagKind kind) {
            latency.put(intendedNanos, completedNanos - intendedNanos);
            tag.put(intendedNanos, kind);
        }

        @Override
        public void failure(long intendedNanos) {
            failures.incrementAndGet();
        }

        /** Asserts the lower bound for requests due in [from, to) and returns how many there were. */
        int assertChargedUntil(long from, long to) {
            int during = 0;
            for (Map.Entry<Long, Long> e : latency.entrySet()) {
                long intended = e.getKey();
                if (intended >= from && intended < to) {
                    during++;
                    assertTrue(e.getValue() >= to - intended, "request due " + (to - intended) / 1_000_000
                            + " ms before the stall ended has latency " + e.getValue() / 1_000_000 + " ms");
                }
            }
            return during;
        }
    }

    @Test
    void requestsDueWhileTheGeneratorStallsAreChargedTheWait() throws InterruptedException {
        AtomicLong stallStart = new AtomicLong();
        AtomicLong stallEnd = new AtomicLong();
        RequestSender sender = sequence -> {
            if (sequence == 10) {
                stallStart.set(System.nanoTime());
                sleep(STALL_MILLIS);
                stallEnd.set(System.nanoTime());
            }
            return CompletableFuture.completedFuture(new Response(200, "v1.v1.v1"));
        };
        PerRequest sink = new PerRequest();
        OpenLoop.Result result = new OpenLoop(RATE, Duration.ofSeconds(1), new VersionTags("v1", "v2"))
                .run(sender, System.nanoTime(), sink, Duration.ofSeconds(5));

        assertEquals(100, result.sent());
        assertEquals(0, result.unfinished());
        assertEquals(100, sink.latency.size());
        int during = sink.assertChargedUntil(stallStart.get(), stallEnd.get());
        assertTrue(during >= 20, "only " + during + " requests were due during a " + STALL_MILLIS + " ms stall at " + RATE + "/s");
        assertTrue(result.maxSendLagMicros() >= TimeUnit.MILLISECONDS.toMicros(STALL_MILLIS) - 20_000,
                "send lag " + result.maxSendLagMicros() + " us does not show the stall");
    }

    @Test
    void requestsDueWhileTheServerStallsAreChargedTheWait() throws Exception {
        try (StallingServer server = new StallingServer(20)) {
            PerRequest sink = new PerRequest();
            OpenLoop.Result result;
            try (SocketSender sender = new SocketSender(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()),
                    new RequestMix(10, 20), 1, Duration.ofSeconds(5))) {
                result = new OpenLoop(RATE, Duration.ofSeconds(1), new VersionTags("v1", "v2"))
                        .run(sender, System.nanoTime(), sink, Duration.ofSeconds(5));
            }
            assertEquals(0, result.unfinished());
            assertEquals(0, sink.failures.get());
            assertEquals(100, sink.latency.size());
            assertTrue(sink.tag.values().stream().allMatch(k -> k == TagKind.OLD));
            int during = sink.assertChargedUntil(server.stallStart, server.stallEnd);
            assertTrue(during >= 20, "only " + during + " requests were due during the stall");
        }
    }

    @Test
    void anOpenEndSendsUntilTheAfterChangePhaseHasItsAnswers() throws InterruptedException {
        // the change "settles" when request 150 is sent (past the 1 s minimum at 100/s): the
        // after-change phase begins with the requests due from then on and needs 30 answers
        PerRequest sink = new PerRequest();
        AfterChange after = new AfterChange(sink);
        long start = System.nanoTime();
        RequestSender sender = sequence -> {
            if (sequence == 150) {
                after.begin(start + sequence * 1_000_000_000L / RATE, 30);
            }
            return CompletableFuture.completedFuture(new Response(200, "v2.v2.v2"));
        };
        OpenLoop.Result result = new OpenLoop(RATE, Duration.ofSeconds(1), Duration.ofSeconds(60), new VersionTags("v1", "v2"))
                .run(sender, start, after, Duration.ofSeconds(5), after);

        // answers complete at once here, so the loop sees the 30th before sending request 180
        assertEquals(180, result.sent());
        assertEquals(30, after.counted());
        assertEquals(180, sink.latency.size());
    }

    @Test
    void anOpenEndWithNoInstructionStopsAtItsBound() throws InterruptedException {
        PerRequest sink = new PerRequest();
        AfterChange after = new AfterChange(sink);
        RequestSender sender = sequence -> CompletableFuture.completedFuture(new Response(200, "v1.v1.v1"));
        OpenLoop.Result result = new OpenLoop(1000, Duration.ofMillis(100), Duration.ofMillis(300), new VersionTags("v1", "v2"))
                .run(sender, System.nanoTime(), after, Duration.ofSeconds(5), after);

        assertEquals(300, result.sent());
        assertEquals(0, after.counted());
    }

    @Test
    void anOpenEndNeedsABoundAtLeastItsMinimum() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new OpenLoop(RATE, Duration.ofSeconds(2), Duration.ofSeconds(1), new VersionTags("v1", "v2")));
        assertTrue(e.getMessage().contains("PT1S") && e.getMessage().contains("PT2S"), e.getMessage());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A one-thread HTTP/1.1 server that answers at once, except request number {@code stallAt}, which it holds 300 ms. */
    private static final class StallingServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread thread;
        private final int stallAt;
        volatile long stallStart;
        volatile long stallEnd;

        StallingServer(int stallAt) throws IOException {
            this.stallAt = stallAt;
            this.thread = Thread.ofPlatform().daemon().start(this::serve);
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            int served = 0;
            while (!socket.isClosed()) {
                try (Socket c = socket.accept()) {
                    InputStream in = new BufferedInputStream(c.getInputStream());
                    OutputStream out = c.getOutputStream();
                    while (readRequest(in)) {
                        if (++served == stallAt) {
                            stallStart = System.nanoTime();
                            sleep(STALL_MILLIS);
                            stallEnd = System.nanoTime();
                        }
                        out.write("HTTP/1.1 200 OK\r\nX-Atlas-Version: v1.v1.v1\r\nContent-Length: 2\r\n\r\nok"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                } catch (IOException e) {
                    // closed
                }
            }
        }

        /** Reads one request (headers and a Content-Length body); false at end of stream. */
        private static boolean readRequest(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int length = 0;
            boolean first = true;
            while (true) {
                int c = in.read();
                if (c < 0) {
                    return false;
                }
                if (c == '\n') {
                    String l = line.toString().trim();
                    line.setLength(0);
                    if (l.isEmpty() && !first) {
                        in.readNBytes(length);
                        return true;
                    }
                    first = false;
                    if (l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(l.substring("content-length:".length()).trim());
                    }
                } else {
                    line.append((char) c);
                }
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5_000);
        }
    }
}
