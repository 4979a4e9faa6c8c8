package dev.atlas.demo.spaces;

import dev.atlas.spaces.AttachOptions;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;
import dev.atlas.spaces.collections.SharedHashMap;
import net.openhft.chronicle.map.ChronicleMap;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The client JVM: looks random keys up directly in the server's space (attached read-only),
 * then the same keys in the Chronicle Map the server filled, then over the server's
 * Unix-domain socket and loopback TCP. Each way: a
 * warm-up pass, then three timed passes; prints the median nanoseconds per lookup as
 * {@code result WAY NS} and fails if any value is wrong.
 */
public final class KvClient {
    private KvClient() {}

    public static void main(String[] args) throws IOException {
        SpaceDirectory dir = SpaceDirectory.at(Path.of(args[0]));
        int n = Integer.parseInt(args[2]);
        int lookups = Integer.parseInt(args[5]);
        int rpcLookups = Integer.parseInt(args[6]);
        SplittableRandom r = new SplittableRandom(42);
        long[] index = new long[lookups];
        for (int i = 0; i < lookups; i++) index[i] = r.nextInt(n);
        try (SharedSpace s = dir.attach(args[1], AttachOptions.READ_ONLY)) {
            SharedHashMap map = SharedHashMap.open(s, "kv");
            report("space", time(index, lookups, i -> map.getOrDefault(i * KvServer.KEY_STEP, KvServer.ABSENT)));
        }
        try (ChronicleMap<Long, Long> peer = KvServer.chronicle(Path.of(args[3]).resolveSibling(args[1] + ".cmap"), n)) {
            report("chronicle", time(index, lookups, i -> {
                Long v = peer.get(i * KvServer.KEY_STEP);
                return v == null ? KvServer.ABSENT : v;
            }));
        }
        try (SocketChannel uds = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(args[3])))) {
            report("uds", time(index, rpcLookups, i -> call(uds, i * KvServer.KEY_STEP)));
        }
        try (SocketChannel tcp = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(args[4])))) {
            tcp.setOption(StandardSocketOptions.TCP_NODELAY, true);
            report("tcp", time(index, rpcLookups, i -> call(tcp, i * KvServer.KEY_STEP)));
        }
    }

    @FunctionalInterface
    interface Lookup {
        long get(long index) throws IOException;
    }

    private static final ByteBuffer REQ = ByteBuffer.allocateDirect(8);
    private static final ByteBuffer REP = ByteBuffer.allocateDirect(8);

    private static long call(SocketChannel c, long key) throws IOException {
        REQ.clear();
        REQ.putLong(0, key);
        while (REQ.hasRemaining()) c.write(REQ);
        REP.clear();
        while (REP.hasRemaining()) {
            if (c.read(REP) < 0) throw new IOException("server closed the connection");
        }
        return REP.getLong(0);
    }

    /** Median ns per lookup over three timed passes of {@code count} lookups, after a warm-up pass. */
    private static double time(long[] index, int count, Lookup lookup) throws IOException {
        double[] ns = new double[3];
        for (int pass = -1; pass < 3; pass++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long v = lookup.get(index[i]);
                if (v != index[i]) throw new IllegalStateException("key index " + index[i] + " gave value " + v);
            }
            if (pass >= 0) ns[pass] = (System.nanoTime() - t0) / (double) count;
        }
        Arrays.sort(ns);
        return ns[1];
    }

    private static void report(String way, double ns) {
        System.out.println("result " + way + " " + ns);
        System.out.flush();
    }
}
