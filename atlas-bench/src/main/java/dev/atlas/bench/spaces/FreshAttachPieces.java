package dev.atlas.bench.spaces;

import dev.atlas.spaces.AttachOptions;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What a read-only attach costs in a fresh JVM, as stage 2 of {@code ./atlas demo spaces}
 * attaches ({@code READ_ONLY.mappedAnywhere()}): {@code make DIR} creates a 64 MiB space
 * {@code t} with a root; {@code attach DIR} times the whole attach and the root's read;
 * {@code pieces DIR vh|bb} times, one after the other, the JDK pieces attach is made of (the
 * stat, the shared arena, the channel, the mapping, the first header reads through FFM var
 * handles ({@code vh}) or a {@code ByteBuffer} view ({@code bb}), the metadata's copy and its
 * CRC32C). The thread's CPU time and wall time; each JVM first makes a struct layout, as
 * {@code TreePipeline} does before its timed part. One JVM per measurement:
 *
 * {@snippet lang=shell :
 * J="java --enable-native-access=ALL-UNNAMED -XX:+UseTransparentHugePages -cp atlas-bench/target/atlas-bench.jar"
 * D=$(mktemp -d /dev/shm/fresh-attach-XXXX); $J dev.atlas.bench.spaces.FreshAttachPieces make $D
 * for i in 1 2 3 4 5; do $J dev.atlas.bench.spaces.FreshAttachPieces attach $D; done
 * for m in vh bb vh bb; do $J dev.atlas.bench.spaces.FreshAttachPieces pieces $D $m; done
 * }
 */
public final class FreshAttachPieces {
    private static final StructLayout NODE = MemoryLayout.structLayout(
            JAVA_LONG.withName("key"), JAVA_LONG.withName("payload"), JAVA_LONG.withName("left"), JAVA_LONG.withName("right"));
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static long cpu;
    private static long wall;

    private FreshAttachPieces() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        long sink = NODE.byteOffset(MemoryLayout.PathElement.groupElement("left"));
        switch (args[0]) {
            case "make" -> {
                try (SharedSpace s = SpaceDirectory.at(dir).create("t", 64L << 20, 0600)) {
                    s.setRoot("tree", "demo.node", s.allocate(1 << 20));
                }
            }
            case "attach" -> {
                SpaceDirectory d = SpaceDirectory.at(dir);
                start();
                try (SharedSpace s = d.attach("t", AttachOptions.READ_ONLY.mappedAnywhere())) {
                    sink += s.root("tree", "demo.node");
                    lap("attach read-only anywhere + root");
                }
            }
            case "pieces" -> sink += pieces(dir.resolve("t.space"), args[2].equals("bb"));
            default -> throw new IllegalArgumentException("'" + args[0] + "': expected make, attach or pieces");
        }
        if (sink == 42) System.out.println();   // keeps the reads
    }

    private static long pieces(Path file, boolean byteBuffer) throws Exception {
        start();
        Map<String, Object> attributes = Files.readAttributes(file, "unix:uid,gid,mode,size");
        lap("stat (unix attributes)");
        Arena arena = Arena.ofShared();
        lap("Arena.ofShared()");
        long v;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            lap("FileChannel.open + size");
            MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            lap("map");
            if (byteBuffer) {
                ByteBuffer b = m.asSlice(0, 12288).asByteBuffer().order(ByteOrder.nativeOrder());
                v = b.getLong(0) + b.getInt(8);
                VarHandle.acquireFence();
                lap("header reads: ByteBuffer + acquireFence");
            } else {
                VarHandle longs = JAVA_LONG.varHandle();
                lap("JAVA_LONG.varHandle()");
                v = (long) longs.getVolatile(m, 0L);
                lap("its first getVolatile");
                VarHandle ints = JAVA_INT.varHandle();
                lap("JAVA_INT.varHandle()");
                v += (int) ints.getVolatile(m, 8L);
                lap("its first getVolatile");
            }
            byte[] payload = m.asSlice(4096, 100).toArray(JAVA_BYTE);
            lap("toArray (metadata copy)");
            CRC32C crc = new CRC32C();
            crc.update(payload);
            lap("CRC32C");
            v += crc.getValue() + attributes.size();
        }
        arena.close();
        return v;
    }

    private static void start() {
        cpu = MX.getCurrentThreadCpuTime();
        wall = System.nanoTime();
    }

    private static void lap(String what) {
        long c = MX.getCurrentThreadCpuTime(), w = System.nanoTime();
        System.out.printf(Locale.ROOT, "%-42s %6.1f ms CPU %7.1f ms wall%n", what, (c - cpu) / 1e6, (w - wall) / 1e6);
        start();
    }
}
