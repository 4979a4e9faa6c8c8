package dev.atlas.demo.spaces;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.atlas.spaces.AttachOptions;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The two stages of the pipeline, each its own JVM. {@code build}: stage 1 builds a balanced
 * binary search tree of {@code n} nodes in a space, linked by absolute pointers, and writes
 * the same tree to files three ways: with Kryo, with Java serialisation, and in a hand-written
 * binary pre-order form (8+8 bytes and a flag byte per node through {@link DataOutputStream}:
 * the cheapest there is). Stage 2 ({@code space}, {@code kryo}, {@code java}, {@code binary}):
 * attach the space and traverse the tree in place, or read one file into Java objects and
 * traverse them. Each stage 2 prints {@code result WAY NODES SUM NANOS SETUP TRAVERSE}, timed
 * from before attaching or opening to the end of the first complete traversal (SETUP:
 * attaching, or reading and deserialising; TRAVERSE: the traversal after it).
 */
public final class TreePipeline {
    static final StructLayout NODE = MemoryLayout.structLayout(
            JAVA_LONG.withName("key"), JAVA_LONG.withName("payload"),
            JAVA_LONG.withName("left"), JAVA_LONG.withName("right"));
    private static final long KEY = NODE.byteOffset(groupElement("key"));
    private static final long PAYLOAD = NODE.byteOffset(groupElement("payload"));
    private static final long LEFT = NODE.byteOffset(groupElement("left"));
    private static final long RIGHT = NODE.byteOffset(groupElement("right"));
    /** Stage 2's ways, in the order the demo runs them. */
    static final String[] WAYS = {"space", "kryo", "java", "binary"};

    private TreePipeline() {}

    /** A node of the deserialised tree (Kryo and Java serialisation write its fields). */
    static final class Node implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        long key;
        long payload;
        Node left;
        Node right;

        Node() {}   // for Kryo

        Node(long key, long payload, Node left, Node right) {
            this.key = key;
            this.payload = payload;
            this.left = left;
            this.right = right;
        }
    }

    public static void main(String[] args) throws IOException, ClassNotFoundException {
        SpaceDirectory dir = SpaceDirectory.at(Path.of(args[1]));
        Path files = Path.of(args[4]);
        switch (args[0]) {
            case "build" -> build(dir, args[2], Integer.parseInt(args[3]), files);
            case "space" -> traverseSpace(dir, args[2]);
            case "kryo", "java", "binary" -> traverseFile(args[0], files);
            default -> throw new IllegalArgumentException("role '" + args[0] + "': expected build, space, kryo, java or binary");
        }
    }

    private static void build(SpaceDirectory dir, String name, int n, Path files) throws IOException {
        long t0 = System.nanoTime();
        SharedSpace s = dir.create(name, Math.max(64L << 20, n * 40L + (64L << 20)), 0600);   // stays until the demo deletes it
        long root = build(s, new NodeSlab(), 0, n - 1);
        s.setRoot("tree", "demo.node", root);
        long t1 = System.nanoTime();
        Node tree = toObjects(s, s.segment(), root);
        StringBuilder sizes = new StringBuilder();
        for (String way : new String[] {"kryo", "java", "binary"}) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file(files, way)), 1 << 16)) {
                write(way, tree, out);
            }
            sizes.append(' ').append(Files.size(file(files, way)));
        }
        long t2 = System.nanoTime();
        s.close();
        System.out.println("built " + n + " " + (t1 - t0) + " " + (t2 - t1) + sizes);
    }

    static Path file(Path dir, String way) {
        return dir.resolve("tree." + way);
    }

    /**
     * Carves nodes from blocks of the space's allocator, {@link #SLAB} bytes each, in the order
     * they are built: a block header per slab rather than per node (a 32-byte node alone would
     * take a 64-byte block of the allocator's power-of-two classes).
     */
    private static final class NodeSlab {
        /** A 1 MiB block of the allocator, less its 16-byte block header. */
        static final long SLAB = (1L << 20) - 16;
        private long next;
        private long end;

        long allocate(SharedSpace s) {
            if (next + NODE.byteSize() > end) {
                next = s.allocate(SLAB);
                end = next + SLAB;
            }
            long p = next;
            next += NODE.byteSize();
            return p;
        }
    }

    private static long build(SharedSpace s, NodeSlab slab, long lo, long hi) {
        if (lo > hi) return 0;
        long mid = (lo + hi) >>> 1;
        long p = slab.allocate(s);
        MemorySegment seg = s.segment();
        long off = s.offsetOf(p);
        seg.set(JAVA_LONG, off + KEY, mid);
        seg.set(JAVA_LONG, off + PAYLOAD, mid * 3);
        seg.set(JAVA_LONG, off + LEFT, build(s, slab, lo, mid - 1));
        seg.set(JAVA_LONG, off + RIGHT, build(s, slab, mid + 1, hi));
        return p;
    }

    private static Node toObjects(SharedSpace s, MemorySegment seg, long p) {
        if (p == 0) return null;
        long off = s.offsetOf(p);
        return new Node(seg.get(JAVA_LONG, off + KEY), seg.get(JAVA_LONG, off + PAYLOAD),
                toObjects(s, seg, seg.get(JAVA_LONG, off + LEFT)), toObjects(s, seg, seg.get(JAVA_LONG, off + RIGHT)));
    }

    /** Kryo as a tree is written with it: the node class registered, no reference tracking (a tree shares no nodes). */
    private static Kryo kryo() {
        Kryo k = new Kryo();
        k.register(Node.class);
        k.setReferences(false);
        return k;
    }

    private static void write(String way, Node tree, OutputStream out) throws IOException {
        switch (way) {
            case "kryo" -> {
                try (Output o = new Output(out, 1 << 16)) {
                    kryo().writeObject(o, tree);
                }
            }
            case "java" -> {
                try (ObjectOutputStream o = new ObjectOutputStream(out)) {
                    o.writeObject(tree);
                }
            }
            default -> {
                try (DataOutputStream o = new DataOutputStream(out)) {
                    writeBinary(tree, o);
                }
            }
        }
    }

    private static void writeBinary(Node x, DataOutputStream out) throws IOException {
        out.writeLong(x.key);
        out.writeLong(x.payload);
        out.writeByte((x.left != null ? 1 : 0) | (x.right != null ? 2 : 0));
        if (x.left != null) writeBinary(x.left, out);
        if (x.right != null) writeBinary(x.right, out);
    }

    private static void traverseSpace(SpaceDirectory dir, String name) {
        long t0 = System.nanoTime();
        // mapped wherever the JDK maps it: no native linking; stored pointers translated by a constant. Prefaulted:
        // another thread touches the tree's pages (the used part of the segment) from the moment of the mapping on,
        // while attach finishes and the walk runs; every byte of it inside the timed interval
        AttachOptions options = AttachOptions.READ_ONLY.mappedAnywhere();
        if (!Boolean.getBoolean("atlas.demo.noPrefault")) {
            options = options.prefaulted();
        }
        try (SharedSpace s = dir.attach(name, options)) {
            long attached = System.nanoTime();
            long[] countSum = new long[2];
            long root = s.root("tree", "demo.node");
            if (s.segment().byteSize() <= Integer.MAX_VALUE) {
                // the same memory as a LongBuffer view: far fewer calls per read than a segment access
                // before the JIT has compiled the walk (a word index = (pointer - canonical base) / 8)
                LongBuffer words = s.segment().asByteBuffer().order(ByteOrder.nativeOrder()).asLongBuffer();
                visit(words, s.addressOf(0), root, countSum);
            } else {
                visit(s.segment(), s.addressOf(0), root, countSum);   // bounds-checked by the segment
            }
            long count = countSum[0], sum = countSum[1];
            long t1 = System.nanoTime();
            System.out.println("result space " + count + " " + sum + " " + (t1 - t0) + " " + (attached - t0) + " " + (t1 - attached));
        }
    }

    private static void traverseFile(String way, Path files) throws IOException, ClassNotFoundException {
        long t0 = System.nanoTime();
        Node root;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file(files, way)), 1 << 16)) {
            root = switch (way) {
                case "kryo" -> {
                    try (Input i = new Input(in, 1 << 16)) {
                        yield kryo().readObject(i, Node.class);
                    }
                }
                case "java" -> {
                    try (ObjectInputStream o = new ObjectInputStream(in)) {
                        yield (Node) o.readObject();
                    }
                }
                default -> readBinary(new DataInputStream(in));
            };
        }
        long loaded = System.nanoTime();
        long[] countSum = new long[2];
        visit(root, countSum);
        long count = countSum[0], sum = countSum[1];
        long t1 = System.nanoTime();
        System.out.println("result " + way + " " + count + " " + sum + " " + (t1 - t0) + " " + (loaded - t0) + " " + (t1 - loaded));
    }

    /*
     * Both traversals are the same recursive pre-order walk (a method per node rather than a
     * loop with an explicit stack): a fresh JVM compiles a method after a few hundred calls,
     * but a loop only after tens of thousands of iterations (on-stack replacement), so the
     * first traversal runs compiled code sooner on every side alike. The space's walk reads
     * through a LongBuffer view of the segment (a segment over 2 GiB: through the segment):
     * the same memory, read in place, with fewer calls per read while the walk is still
     * interpreted or in C1 code (1.2 against 3.7 µs a node with -Xint here).
     */

    /** Visits the subtree at canonical address {@code p} in place: four words read per node, nothing copied. */
    private static void visit(MemorySegment seg, long base, long p, long[] countSum) {
        long off = p - base;
        countSum[0]++;
        countSum[1] += seg.get(JAVA_LONG, off + KEY) ^ seg.get(JAVA_LONG, off + PAYLOAD);
        long left = seg.get(JAVA_LONG, off + LEFT), right = seg.get(JAVA_LONG, off + RIGHT);
        if (left != 0) visit(seg, base, left, countSum);
        if (right != 0) visit(seg, base, right, countSum);
    }

    /** The same walk over a word view of the segment; each node's four words read where they are. */
    private static void visit(LongBuffer words, long base, long p, long[] countSum) {
        int i = (int) ((p - base) >>> 3);
        countSum[0]++;
        countSum[1] += words.get(i + (int) (KEY >>> 3)) ^ words.get(i + (int) (PAYLOAD >>> 3));
        long left = words.get(i + (int) (LEFT >>> 3)), right = words.get(i + (int) (RIGHT >>> 3));
        if (left != 0) visit(words, base, left, countSum);
        if (right != 0) visit(words, base, right, countSum);
    }

    private static void visit(Node x, long[] countSum) {
        countSum[0]++;
        countSum[1] += x.key ^ x.payload;
        if (x.left != null) visit(x.left, countSum);
        if (x.right != null) visit(x.right, countSum);
    }

    private static Node readBinary(DataInputStream in) throws IOException {
        long key = in.readLong(), payload = in.readLong();
        int flags = in.readByte();
        Node l = (flags & 1) != 0 ? readBinary(in) : null;
        Node r = (flags & 2) != 0 ? readBinary(in) : null;
        return new Node(key, payload, l, r);
    }
}
