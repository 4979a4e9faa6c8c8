package dev.atlas.ulp.daemon;

import dev.atlas.ulp.ProgramHost;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.attribute.UserPrincipal;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * The host daemon's listener: a Unix-domain socket in the user's 0700 host directory; each
 * connection is served on its own virtual thread ({@link HostSession}). A connection from
 * another OS user than {@code owner} (its peer credentials, {@code SO_PEERCRED}) is refused
 * with a message, and the host goes on serving the others.
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=host-server}
 *
 * <p>Thread safety: {@link #stop()} and {@link #awaitStop()} from any thread.
 */
public final class HostServer implements AutoCloseable {
    private final ProgramHost host;
    private final HostPaths paths;
    private final UserPrincipal owner;
    private final ServerSocketChannel server;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread acceptor;

    private HostServer(ProgramHost host, HostPaths paths, UserPrincipal owner, ServerSocketChannel server) {
        this.host = host;
        this.paths = paths;
        this.owner = owner;
        this.server = server;
        this.acceptor = Thread.ofPlatform().name("ulp-host-accept").daemon(true).unstarted(this::acceptLoop);
    }

    /** Listens in {@code paths} for its directory's owner. */
    public static HostServer start(ProgramHost host, HostPaths paths) throws IOException {
        return start(host, paths, null);
    }

    /**
     * Listens in {@code paths}, accepting only {@code allowed} (null: the host directory's
     * owner, that is, this user).
     *
     * @throws IOException if the directory is not private to this user, or another host listens there
     */
    public static HostServer start(ProgramHost host, HostPaths paths, UserPrincipal allowed) throws IOException {
        UserPrincipal dirOwner = paths.prepare();
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(paths.socket());
        if (Files.exists(paths.socket())) {
            try (SocketChannel probe = SocketChannel.open(address)) {
                throw new IOException("a host is already listening on " + paths.socket() + " (atlas host stop ends it)");
            } catch (IOException stale) {
                if (stale.getMessage() != null && stale.getMessage().startsWith("a host is already")) {
                    throw stale;
                }
                Files.deleteIfExists(paths.socket());   // left by a host that died
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(address);
        HostServer s = new HostServer(host, paths, allowed != null ? allowed : dirOwner, server);
        s.acceptor.start();
        return s;
    }

    public HostPaths paths() {
        return paths;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                System.getLogger("dev.atlas.ulp").log(System.Logger.Level.WARNING, "accept failed: " + e);
                continue;
            }
            Thread.ofVirtual().name("ulp-session").start(new HostSession(ch, host, owner, this::stop));
        }
    }

    /** Stops listening; {@link #awaitStop()} returns. Running programs are not touched (see {@link ProgramHost#close()}). */
    public void stop() {
        try {
            server.close();
            Files.deleteIfExists(paths.socket());
        } catch (IOException e) {
            System.getLogger("dev.atlas.ulp").log(System.Logger.Level.WARNING, "closing " + paths.socket() + ": " + e);
        } finally {
            stopped.countDown();
        }
    }

    /** Waits until {@link #stop()} (or {@code atlas host stop}). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "host server on " + Objects.toString(paths.socket());
    }
}
