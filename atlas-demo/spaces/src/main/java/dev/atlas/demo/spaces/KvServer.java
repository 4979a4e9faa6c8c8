package dev.atlas.demo.spaces;

import dev.atlas.spaces.SharedSpace;
import net.openhft.chronicle.map.ChronicleMap;
import dev.atlas.spaces.SpaceDirectory;
import dev.atlas.spaces.collections.SharedHashMap;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The server JVM: owns a key-value store in a space (a {@link SharedHashMap} of {@code n}
 * keys) and serves the same lookups over a Unix-domain socket and loopback TCP (8-byte key
 * in, 8-byte value out, one request at a time per connection); also writes the same keys
 * into a Chronicle Map persisted next to the socket ({@code NAME.cmap}). Prints {@code ready PORT},
 * serves until its stdin closes, then deletes the space.
 */
public final class KvServer {
    /** Key i is {@code i * KEY_STEP} (distinct for every i); its value is i. */
    static final long KEY_STEP = 0x9E37_79B9_7F4A_7C15L;
    static final long ABSENT = -1;

    private KvServer() {}

    public static void main(String[] args) throws IOException {
        SpaceDirectory dir = SpaceDirectory.at(Path.of(args[0]));
        String name = args[1];
        int n = Integer.parseInt(args[2]);
        Path socket = Path.of(args[3]);
        long capacity = Math.max(64L << 20, n * 160L);
        try (SharedSpace s = dir.create(name, capacity, 0600)) {
            SharedHashMap map = SharedHashMap.create(s, "kv", n);
            for (long i = 0; i < n; i++) map.put(i * KEY_STEP, i);
            try (ChronicleMap<Long, Long> peer = chronicle(socket.resolveSibling(name + ".cmap"), n)) {
                for (long i = 0; i < n; i++) peer.put(i * KEY_STEP, i);
            }
            ServerSocketChannel uds = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            uds.bind(UnixDomainSocketAddress.of(socket));
            ServerSocketChannel tcp = ServerSocketChannel.open();
            tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            accept(uds, map, false);
            accept(tcp, map, true);
            System.out.println("ready " + ((InetSocketAddress) tcp.getLocalAddress()).getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the demo closes our stdin
            }
            uds.close();
            tcp.close();
        } finally {
            dir.delete(name, true);
        }
    }

    /** The same keys in a Chronicle Map persisted to {@code file} (created, or opened if it exists). */
    static ChronicleMap<Long, Long> chronicle(Path file, int n) throws IOException {
        return ChronicleMap.of(Long.class, Long.class).name("kv").entries(Math.max(n, 1000)).createPersistedTo(file.toFile());
    }

    private static void accept(ServerSocketChannel server, SharedHashMap map, boolean tcp) {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                for (;;) {
                    SocketChannel c = server.accept();
                    if (tcp) c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    Thread.ofPlatform().daemon().start(() -> serve(c, map));
                }
            } catch (IOException closed) {
                // the server socket was closed: stop accepting
            }
        });
    }

    private static void serve(SocketChannel c, SharedHashMap map) {
        ByteBuffer in = ByteBuffer.allocateDirect(8);
        ByteBuffer out = ByteBuffer.allocateDirect(8);
        try (c) {
            for (;;) {
                in.clear();
                while (in.hasRemaining()) {
                    if (c.read(in) < 0) return;
                }
                out.clear();
                out.putLong(0, map.getOrDefault(in.getLong(0), ABSENT));
                while (out.hasRemaining()) c.write(out);
            }
        } catch (IOException gone) {
            // the client went away
        }
    }
}
