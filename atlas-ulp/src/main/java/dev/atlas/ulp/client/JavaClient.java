package dev.atlas.ulp.client;

import dev.atlas.ulp.daemon.HostPaths;
import dev.atlas.ulp.protocol.Frame;
import dev.atlas.ulp.protocol.FrameType;
import dev.atlas.ulp.protocol.Request;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The Java client of the host (the fallback of the native {@code atlas-run}): sends the
 * command line, environment and working directory, streams standard input to the host and
 * the program's output back, and returns its exit status. Starts a host when none answers
 * (for {@code run}).
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=java-client}
 *
 * <p>Thread safety: one call at a time per instance; a call uses one extra thread (stdin).
 */
public final class JavaClient {
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final HostPaths paths;
    private final HostStarter starter;

    public JavaClient(HostPaths paths, HostStarter starter) {
        this.paths = paths;
        this.starter = starter;
    }

    /** Runs one command against the host; returns the status to exit with. */
    public int call(List<String> args, Map<String, String> env, String cwd, InputStream stdin,
                    OutputStream stdout, OutputStream stderr) throws IOException {
        SocketChannel ch = connect();
        if (ch == null) {
            boolean startsHost = !args.isEmpty() && args.getFirst().equals("run");
            if (!startsHost) {
                new PrintStream(stderr, true).println("atlas: no host is running (" + paths.socket() + ")");
                return args.size() > 1 && args.get(0).equals("host") ? 0 : 1;
            }
            ch = startAndConnect();
        }
        try (SocketChannel c = ch) {
            OutputStream out = Channels.newOutputStream(new WriteOnly(c));
            byte[] req = new Request(args, env, cwd).encode();
            IOException unsent = null;
            try {
                synchronized (out) {
                    Frame.write(out, FrameType.REQUEST, req, 0, req.length);
                }
            } catch (IOException e) {
                // the host may have answered and closed before reading the request (a refusal):
                // its answer is still to be read
                unsent = e;
            }
            Thread pump = unsent != null ? null
                    : Thread.ofPlatform().daemon(true).name("atlas-client-stdin").start(() -> pumpStdin(stdin, out));
            InputStream in = new BufferedInputStream(Channels.newInputStream(new ReadOnly(c)));
            Frame f;
            while ((f = readOrRethrow(in, unsent)) != null) {
                switch (f.type()) {
                    case STDOUT -> {
                        stdout.write(f.payload());
                        stdout.flush();
                    }
                    case STDERR -> {
                        stderr.write(f.payload());
                        stderr.flush();
                    }
                    case EXIT -> {
                        if (pump != null) {
                            pump.interrupt();
                        }
                        return f.exitStatus();
                    }
                    default -> throw new IOException("unexpected " + f.type() + " frame from the host");
                }
            }
            if (unsent != null) {
                throw unsent;
            }
            new PrintStream(stderr, true).println("atlas: the host closed the connection without an exit status (see "
                    + paths.log() + ")");
            return 1;
        }
    }

    /** The next frame; if the request could not be sent and nothing can be read either, the send's failure. */
    private static Frame readOrRethrow(InputStream in, IOException unsent) throws IOException {
        try {
            return Frame.read(in);
        } catch (IOException e) {
            if (unsent != null) {
                unsent.addSuppressed(e);
                throw unsent;
            }
            throw e;
        }
    }

    private static void pumpStdin(InputStream stdin, OutputStream out) {
        byte[] buf = new byte[16 * 1024];
        try {
            int n;
            while ((n = stdin.read(buf)) >= 0) {
                if (n > 0) {
                    synchronized (out) {
                        Frame.write(out, FrameType.STDIN, buf, 0, n);
                    }
                }
            }
            synchronized (out) {
                Frame.write(out, FrameType.STDIN, buf, 0, 0);
            }
        } catch (IOException e) {
            // the connection closed: the program has ended
        }
    }

    private SocketChannel connect() {
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(paths.socket()));
        } catch (IOException e) {
            return null;
        }
    }

    private SocketChannel startAndConnect() throws IOException {
        Process host = starter.start(paths);
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            SocketChannel ch = connect();
            if (ch != null) {
                return ch;
            }
            if (!host.isAlive() && connect() == null) {
                throw new IOException("the host exited with status " + host.exitValue() + " before listening; see " + paths.log());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));   // an external process: poll its socket
        }
        throw new IOException("no host listening on " + paths.socket() + " after 60 s; see " + paths.log());
    }

    /** Channel views so the reader and the writer streams do not share the blocking lock. */
    private record WriteOnly(SocketChannel ch) implements java.nio.channels.WritableByteChannel {
        @Override
        public int write(ByteBuffer src) throws IOException {
            return ch.write(src);
        }

        @Override
        public boolean isOpen() {
            return ch.isOpen();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    private record ReadOnly(SocketChannel ch) implements java.nio.channels.ReadableByteChannel {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            return ch.read(dst);
        }

        @Override
        public boolean isOpen() {
            return ch.isOpen();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
