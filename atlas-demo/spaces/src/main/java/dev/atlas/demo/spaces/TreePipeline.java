package dev.atlas.demo.spaces;

import dev.atlas.spaces.AttachOptions;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The two stages of the pipeline, each its own JVM. {@code build}: stage 1 builds a balanced
 * binary search tree of {@code n} nodes in a space, linked by absolute pointers, and also
 * writes the same tree to a file in a compact binary pre-order form (8+8 bytes and a flag
 * byte per node through {@link DataOutputStream}: the cheapest serialisation there is, so a
 * strong baseline). {@code space}: stage 2 attaches the space and traverses the tree in place.
 * {@code file}: stage 2 reads the file into Java objects and traverses them. Each stage 2
 * prints {@code result WAY NODES SUM NANOS SETUP TRAVERSE}, timed from before attaching or
 * opening to the end of the first complete traversal (SETUP: attaching, or reading and
 * deserialising; TRAVERSE: the traversal after it).
 */
public final class TreePipeline {
    static final StructLayout NODE = MemoryLayout.structLayout(
            JAVA_LONG.withName("key"), JAVA_LONG.withName("payload"),
            JAVA_LONG.withName("left"), JAVA_LONG.withName("right"));
    private static final long KEY = NODE.byteOffset(groupElement("key"));
    private static final long PAYLOAD = NODE.byteOffset(groupElement("payload"));
    private static final long LEFT = NODE.byteOffset(groupElement("left"));
    private static final long RIGHT = NODE.byteOffset(groupElement("right"));

    private TreePipeline() {}

    /** A node of the deserialised tree. */
    private record Node(long key, long payload, Node left, Node right) {}

    public static void main(String[] args) throws IOException {
        SpaceDirectory dir = SpaceDirectory.at(Path.of(args[1]));
        switch (args[0]) {
            case "build" -> build(dir, args[2], Integer.parseInt(args[3]), Path.of(args[4]));
            case "space" -> traverseSpace(dir, args[2]);
            case "file" -> traverseFile(Path.of(args[4]));
            default -> throw new IllegalArgumentException("role '" + args[0] + "': expected build, space or file");
        }
    }

    private static void build(SpaceDirectory dir, String name, int n, Path file) throws IOException {
        long t0 = System.nanoTime();
        SharedSpace s = dir.create(name, Math.max(64L << 20, n * 80L), 0600);   // stays until the demo deletes it
        long root = build(s, 0, n - 1);
        s.setRoot("tree", "demo.node", root);
        long t1 = System.nanoTime();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            write(s, s.segment(), root, out);
        }
        long t2 = System.nanoTime();
        s.close();
        System.out.println("built " + n + " " + (t1 - t0) + " " + (t2 - t1) + " " + Files.size(file));
    }

    private static long build(SharedSpace s, long lo, long hi) {
        if (lo > hi) return 0;
        long mid = (lo + hi) >>> 1;
        long p = s.allocate(NODE.byteSize());
        MemorySegment seg = s.segment();
        long off = s.offsetOf(p);
        seg.set(JAVA_LONG, off + KEY, mid);
        seg.set(JAVA_LONG, off + PAYLOAD, mid * 3);
        seg.set(JAVA_LONG, off + LEFT, build(s, lo, mid - 1));
        seg.set(JAVA_LONG, off + RIGHT, build(s, mid + 1, hi));
        return p;
    }

    private static void write(SharedSpace s, MemorySegment seg, long p, DataOutputStream out) throws IOException {
        long off = s.offsetOf(p);
        long l = seg.get(JAVA_LONG, off + LEFT), r = seg.get(JAVA_LONG, off + RIGHT);
        out.writeLong(seg.get(JAVA_LONG, off + KEY));
        out.writeLong(seg.get(JAVA_LONG, off + PAYLOAD));
        out.writeByte((l != 0 ? 1 : 0) | (r != 0 ? 2 : 0));
        if (l != 0) write(s, seg, l, out);
        if (r != 0) write(s, seg, r, out);
    }

    private static void traverseSpace(SpaceDirectory dir, String name) {
        long t0 = System.nanoTime();
        try (SharedSpace s = dir.attach(name, AttachOptions.READ_ONLY)) {
            long attached = System.nanoTime();
            MemorySegment seg = s.segment();
            long[] stack = new long[128];
            int top = 0;
            stack[top++] = s.root("tree", "demo.node");
            long count = 0, sum = 0;
            while (top > 0) {
                long off = s.offsetOf(stack[--top]);
                count++;
                sum += seg.get(JAVA_LONG, off + KEY) ^ seg.get(JAVA_LONG, off + PAYLOAD);
                long l = seg.get(JAVA_LONG, off + LEFT), r = seg.get(JAVA_LONG, off + RIGHT);
                if (r != 0) stack[top++] = r;
                if (l != 0) stack[top++] = l;
            }
            long t1 = System.nanoTime();
            System.out.println("result space " + count + " " + sum + " " + (t1 - t0) + " " + (attached - t0) + " " + (t1 - attached));
        }
    }

    private static void traverseFile(Path file) throws IOException {
        long t0 = System.nanoTime();
        Node root;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            root = read(in);
        }
        long loaded = System.nanoTime();
        Node[] stack = new Node[128];
        int top = 0;
        stack[top++] = root;
        long count = 0, sum = 0;
        while (top > 0) {
            Node x = stack[--top];
            count++;
            sum += x.key() ^ x.payload();
            if (x.right() != null) stack[top++] = x.right();
            if (x.left() != null) stack[top++] = x.left();
        }
        long t1 = System.nanoTime();
        System.out.println("result file " + count + " " + sum + " " + (t1 - t0) + " " + (loaded - t0) + " " + (t1 - loaded));
    }

    private static Node read(DataInputStream in) throws IOException {
        long key = in.readLong(), payload = in.readLong();
        int flags = in.readByte();
        Node l = (flags & 1) != 0 ? read(in) : null;
        Node r = (flags & 2) != 0 ? read(in) : null;
        return new Node(key, payload, l, r);
    }
}
