package dev.atlas.demo.load;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Sends requests over a fixed number of HTTP/1.1 keep-alive connections, each driven by one
 * virtual thread that writes a request and reads its response before taking the next one.
 * Requests that find every connection busy wait in a queue; the latency the
 * {@link OpenLoop} records still counts from their intended time. A connection that fails
 * (refused, reset, closed, timed out) fails its request and is opened again for the next.
 *
 * {@snippet class=dev.atlas.demo.snippets.HarnessSnippets region=socket-sender}
 *
 * <p>Implementation notes: a hand-written client rather than {@link java.net.http.HttpClient}
 * because the generator must cost far less CPU than the service it measures: on the 2-core
 * machines here {@code HttpClient} used about 0.6 of a core at 800 requests/s. The response
 * parser reads the status line, the headers ({@code Content-Length}, {@code Transfer-Encoding:
 * chunked}, {@code Connection: close}, the version header) and skips the body.
 */
public final class SocketSender implements RequestSender, AutoCloseable {
    /** The response header that carries the version tag (the service's {@code Http.VERSION_HEADER}). */
    public static final String VERSION_HEADER = "X-Atlas-Version";

    private record Job(long sequence, CompletableFuture<Response> answer) {
    }

    private static final Job STOP = new Job(-1, null);

    private final InetSocketAddress address;
    private final String host;
    private final RequestMix mix;
    private final int timeoutMillis;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final List<Thread> connections = new ArrayList<>();

    /**
     * @param address     the service
     * @param mix         which request to send for each sequence number
     * @param connections keep-alive connections, 1 to 4096
     * @param timeout     connect timeout, and the longest wait for a response
     */
    public SocketSender(InetSocketAddress address, RequestMix mix, int connections, Duration timeout) {
        if (connections < 1 || connections > 4096) {
            throw new IllegalArgumentException("connections is " + connections + ", expected 1 to 4096");
        }
        this.address = address;
        this.host = address.getHostString() + ":" + address.getPort();
        this.mix = mix;
        this.timeoutMillis = Math.toIntExact(Math.max(1, timeout.toMillis()));
        for (int i = 0; i < connections; i++) {
            this.connections.add(Thread.ofVirtual().name("load-connection-" + i).start(this::serve));
        }
    }

    @Override
    public CompletableFuture<Response> send(long sequence) {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        queue.add(new Job(sequence, answer));
        return answer;
    }

    /** Stops the connections; requests still queued fail. */
    @Override
    public void close() throws InterruptedException {
        for (int i = 0; i < connections.size(); i++) {
            queue.add(STOP);
        }
        for (Thread t : connections) {
            t.join(timeoutMillis + 1_000L);
        }
        Job left;
        while ((left = queue.poll()) != null) {
            if (left != STOP) {
                left.answer().completeExceptionally(new IOException("load generator closed"));
            }
        }
    }

    private void serve() {
        Socket socket = null;
        InputStream in = null;
        try {
            while (true) {
                Job job = queue.take();
                if (job == STOP) {
                    return;
                }
                try {
                    if (socket == null) {
                        socket = new Socket();
                        socket.setTcpNoDelay(true);
                        socket.setSoTimeout(timeoutMillis);
                        socket.connect(address, timeoutMillis);
                        in = new BufferedInputStream(socket.getInputStream(), 1024);
                    }
                    OutputStream out = socket.getOutputStream();
                    out.write(mix.request(job.sequence(), host));
                    out.flush();
                    Parsed parsed = readResponse(in);
                    if (parsed.close()) {
                        closeQuietly(socket);
                        socket = null;
                    }
                    job.answer().complete(parsed.response());
                } catch (IOException | RuntimeException e) {
                    closeQuietly(socket);
                    socket = null;
                    job.answer().completeExceptionally(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(socket);
        }
    }

    record Parsed(Response response, boolean close) {
    }

    /**
     * Reads one response from {@code in}: status, version header, and whether the server
     * closes the connection; the body is skipped.
     */
    static Parsed readResponse(InputStream in) throws IOException {
        String status = readLine(in);
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("response starts with '" + status + "', expected HTTP/1.x");
        }
        int code = Integer.parseInt(status.substring(9, 12));
        String tag = null;
        long length = -1;
        boolean chunked = false;
        boolean close = status.startsWith("HTTP/1.0");
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase(VERSION_HEADER)) {
                tag = value;
            } else if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.equalsIgnoreCase("chunked");
            } else if (name.equalsIgnoreCase("Connection")) {
                close = value.equalsIgnoreCase("close");
            }
        }
        if (chunked) {
            long size;
            while ((size = Long.parseLong(readLine(in).split(";")[0].trim(), 16)) > 0) {
                skip(in, size);
                readLine(in);
            }
            while (!readLine(in).isEmpty()) {
                // trailers
            }
        } else if (length >= 0) {
            skip(in, length);
        } else {
            close = true;
        }
        return new Parsed(new Response(code, tag), close);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("connection closed in the middle of a response");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private static void skip(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("connection closed in the middle of a response body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing to do: the connection is dropped either way
            }
        }
    }
}
