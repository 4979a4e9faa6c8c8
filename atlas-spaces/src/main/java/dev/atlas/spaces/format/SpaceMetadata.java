package dev.atlas.spaces.format;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a space's header records: its name and id, owner and mode, its segments with their
 * fixed addresses, and its named roots. Immutable; a change writes a new version
 * ({@link SpaceHeader#update}).
 *
 * @param name     the space's name
 * @param spaceId  random id: with a canonical address, the identity of a lock in the space (in every attachment)
 * @param ownerUid the creating user
 * @param mode     file-mode permission bits (e.g. 0600)
 * @param segments the segments, in order
 * @param roots    named, typed entry points (canonical addresses inside a segment)
 */
public record SpaceMetadata(String name, long spaceId, int ownerUid, int mode, List<Segment> segments,
                            Map<String, Root> roots) {
    /** The largest segment a header may describe (16 TiB, as {@code SpaceDirectory.create} allows). */
    static final long MAX_SEGMENT = 1L << 44;
    /** The end of x86_64 / aarch64 user space with 4-level page tables: no segment maps above it. */
    static final long USER_SPACE_END = 1L << 47;

    /** A segment: its name, the address it is mapped at in every FIXED attacher, its size. */
    public record Segment(String name, long base, long size) {}

    /** A named root: a type tag chosen by the application and a canonical address (0 = null). */
    public record Root(String type, long address) {}

    public SpaceMetadata {
        segments = List.copyOf(segments);
        roots = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(roots));
    }

    /** A copy with root {@code name} set (or removed when {@code root} is null). */
    public SpaceMetadata withRoot(String rootName, Root root) {
        Map<String, Root> r = new LinkedHashMap<>(roots);
        if (root == null) r.remove(rootName); else r.put(rootName, root);
        return new SpaceMetadata(name, spaceId, ownerUid, mode, segments, r);
    }

    /**
     * The metadata as {@link java.io.DataOutput} writes it (strings with
     * {@code writeUTF}, numbers big-endian), which {@link #decode} reads.
     *
     * <p>Implementation notes: when every string is ASCII (its modified UTF-8 form is its
     * chars, one byte each, as for every name {@code SpaceDirectory} accepts), the bytes are
     * written straight into an array of the exact size; otherwise through a
     * {@link DataOutputStream}. Both give the same bytes for ASCII strings
     * ({@code SpaceMetadataTest}); the direct way is what create, which runs this between two
     * system calls, takes.
     */
    byte[] encode() {
        if (!ascii(name)) return encodeThroughStream();
        long size = 2 + name.length() + 8 + 4 + 4 + 4 + 4;
        for (Segment s : segments) {
            if (!ascii(s.name())) return encodeThroughStream();
            size += 2 + s.name().length() + 16;
        }
        for (Map.Entry<String, Root> e : roots.entrySet()) {
            if (!ascii(e.getKey()) || !ascii(e.getValue().type())) return encodeThroughStream();
            size += 2 + e.getKey().length() + 2 + e.getValue().type().length() + 8;
        }
        if (size > Integer.MAX_VALUE - 16) return encodeThroughStream();
        Writer out = new Writer((int) size);
        out.utf(name);
        out.putLong(spaceId);
        out.putInt(ownerUid);
        out.putInt(mode);
        out.putInt(segments.size());
        for (Segment s : segments) {
            out.utf(s.name());
            out.putLong(s.base());
            out.putLong(s.size());
        }
        out.putInt(roots.size());
        for (Map.Entry<String, Root> e : roots.entrySet()) {
            out.utf(e.getKey());
            out.utf(e.getValue().type());
            out.putLong(e.getValue().address());
        }
        return out.bytes;
    }

    /** {@link #encode} through a {@link DataOutputStream}: any strings. */
    byte[] encodeThroughStream() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(name);
            out.writeLong(spaceId);
            out.writeInt(ownerUid);
            out.writeInt(mode);
            out.writeInt(segments.size());
            for (Segment s : segments) {
                out.writeUTF(s.name());
                out.writeLong(s.base());
                out.writeLong(s.size());
            }
            out.writeInt(roots.size());
            for (Map.Entry<String, Root> e : roots.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue().type());
                out.writeLong(e.getValue().address());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** True if {@code writeUTF} writes {@code s} as its length and its chars, one byte each (1 to 127, at most 65535). */
    private static boolean ascii(String s) {
        if (s.length() > 0xFFFF) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || c > 127) return false;
        }
        return true;
    }

    /** Big-endian writes into an array of the exact size (the strings ASCII). */
    private static final class Writer {
        final byte[] bytes;
        int at;

        Writer(int size) {
            bytes = new byte[size];
        }

        void utf(String s) {
            putShort(s.length());
            for (int i = 0; i < s.length(); i++) bytes[at++] = (byte) s.charAt(i);
        }

        void putShort(int v) {
            bytes[at++] = (byte) (v >>> 8);
            bytes[at++] = (byte) v;
        }

        void putInt(int v) {
            putShort(v >>> 16);
            putShort(v);
        }

        void putLong(long v) {
            putInt((int) (v >>> 32));
            putInt((int) v);
        }
    }

    static SpaceMetadata decode(byte[] payload) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            String name = in.readUTF();
            long id = in.readLong();
            int uid = in.readInt();
            int mode = in.readInt();
            int n = in.readInt();
            if (n < 1 || n > 1024) throw new IOException("segment count " + n + ", expected 1 to 1024");
            List<Segment> segs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Segment s = new Segment(in.readUTF(), in.readLong(), in.readLong());
                if (s.size() <= 0 || s.size() > MAX_SEGMENT || s.base() <= 0 || s.base() % 4096 != 0
                        || s.base() > USER_SPACE_END - s.size()) {
                    throw new IOException("segment " + i + " at 0x" + Long.toHexString(s.base()) + " of " + s.size()
                            + " bytes: expected a page-aligned user-space address and 1 to " + MAX_SEGMENT + " bytes");
                }
                segs.add(s);
            }
            int r = in.readInt();
            if (r < 0 || r > 4096) throw new IOException("root count " + r);
            Map<String, Root> roots = new LinkedHashMap<>();
            for (int i = 0; i < r; i++) roots.put(in.readUTF(), new Root(in.readUTF(), in.readLong()));
            return new SpaceMetadata(name, id, uid, mode, segs, roots);
        }
    }
}
