package dev.atlas.spaces.collections;

import dev.atlas.spaces.SharedSpace;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A growable vector of {@code long}s living in a space, appended to and read by every
 * attached JVM at once. Elements never move: the vector grows by adding chunks of doubling
 * size, so an element's address stays valid.
 *
 * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=shared-vector}
 *
 * <h2>Progress guarantees</h2>
 * <ol>
 *   <li>{@link #get} and {@link #set} of an index below the size word are wait-free (a read
 *       of the size word, of the chunk pointer, and of or to the slot); for a larger index
 *       they call {@link #size()} to check it, which is lock-free.</li>
 *   <li>{@link #append} and {@link #size} are lock-free: an appender that finds the next slot
 *       taken helps advance the size and moves on.</li>
 *   <li>A process dying inside {@link #append} leaves the vector consistent: an element
 *       whose slot was filled is in the vector (the next {@code size()} or {@code append}
 *       advances the size past it); a chunk allocated and not published leaks.</li>
 * </ol>
 *
 * <p>Threading contract: any thread of any process attached to the space.
 *
 * <h2>Implementation notes</h2>
 * Chunk c holds {@code FIRST << c} elements; the header holds the chunk pointers (filled
 * once, by CAS from 0) and the size. Slots store encoded values (0 = empty, see
 * {@link Region#encode}). Append: read the size n, CAS slot n from empty to the value
 * (the linearization point), then CAS the size from n to n + 1; a failed slot CAS means
 * another appender got slot n, so help the size forward and retry at n + 1.
 *
 * <h2>Memory ordering</h2>
 * A chunk is zeroed before the CAS that publishes it. A slot's CAS happens-before the size
 * CAS past it, so {@code i < size()} implies slot i holds its value.
 */
public final class SharedVector {
    /** The root type name under which vectors are registered. */
    public static final String ROOT_TYPE = "atlas.vector";
    static final int CHUNKS = 40;
    static final long FIRST = 16;
    static final StructLayout HEADER = MemoryLayout.structLayout(
            JAVA_LONG.withName("magic"),
            JAVA_LONG.withName("size"),
            MemoryLayout.sequenceLayout(CHUNKS, JAVA_LONG).withName("chunks"));
    private static final long MAGIC = 0x4154_4C41_5356_4531L;   // "ATLASVE1"
    private static final long H_SIZE = HEADER.byteOffset(groupElement("size"));
    private static final long H_CHUNKS = HEADER.byteOffset(groupElement("chunks"), sequenceElement(0));

    private final Region region;
    private final long header;

    private SharedVector(Region region, long header) {
        this.region = region;
        this.header = header;
        region.checkMagic(header, MAGIC, "vector");
    }

    public static SharedVector create(Region region) {
        region.checkWritable("SharedVector.create");
        long h = region.allocateZeroed(HEADER.byteSize());
        region.store(h, 0, MAGIC);
        return new SharedVector(region, h);
    }

    /** Creates a vector and registers it as root {@code root} of {@code space}. */
    public static SharedVector create(SharedSpace space, String root) {
        SharedVector v = create(Region.of(space));
        space.setRoot(root, ROOT_TYPE, v.address());
        return v;
    }

    public static SharedVector open(Region region, long address) {
        return new SharedVector(region, address);
    }

    /** The vector registered as root {@code root} of {@code space}. */
    public static SharedVector open(SharedSpace space, String root) {
        return new SharedVector(Region.of(space), space.root(root, ROOT_TYPE));
    }

    public long address() {
        return header;
    }

    /**
     * Appends {@code value}.
     *
     * @return its index
     * @throws IllegalArgumentException for {@link Region#NO_VALUE}; nothing changed
     */
    public long append(long value) {
        region.checkWritable("SharedVector.append");
        long stored = Region.encode(value);
        for (;;) {
            long n = region.load(header, H_SIZE);
            long chunk = chunkFor(n, true);
            long slot = slotOffset(n);
            if (region.cas(chunk, slot, 0, stored)) {
                region.cas(header, H_SIZE, n, n + 1);
                return n;
            }
            region.cas(header, H_SIZE, n, n + 1);   // slot n is taken: help its appender
        }
    }

    /**
     * The element at {@code index}.
     *
     * @throws IndexOutOfBoundsException naming the index and the size
     */
    public long get(long index) {
        checkIndex(index);
        return Region.decode(region.load(chunkFor(index, false), slotOffset(index)));
    }

    /** Replaces the element at {@code index}. */
    public void set(long index, long value) {
        region.checkWritable("SharedVector.set");
        long stored = Region.encode(value);
        checkIndex(index);
        region.store(chunkFor(index, false), slotOffset(index), stored);
    }

    /** The number of elements (advancing past a slot filled by an appender that has not, or never will, finish). */
    public long size() {
        for (;;) {
            long n = region.load(header, H_SIZE);
            long chunk = region.load(header, H_CHUNKS + chunkIndex(n) * 8L);
            if (chunk == 0 || region.load(chunk, slotOffset(n)) == 0) return n;
            region.cas(header, H_SIZE, n, n + 1);
        }
    }

    private void checkIndex(long index) {
        if (index < 0 || index >= region.load(header, H_SIZE) && index >= size()) {
            throw new IndexOutOfBoundsException("index " + index + " out of bounds for shared vector of size " + size());
        }
    }

    /** The chunk holding {@code index}; with {@code create}, allocated and published if missing. */
    private long chunkFor(long index, boolean create) {
        int c = chunkIndex(index);
        long off = H_CHUNKS + c * 8L;
        long chunk = region.load(header, off);
        if (chunk == 0 && create) {
            long fresh = region.allocateZeroed((FIRST << c) * 8);
            if (region.cas(header, off, 0, fresh)) return fresh;
            region.free(fresh);   // another appender published its chunk first
            chunk = region.load(header, off);
        }
        return chunk;
    }

    static int chunkIndex(long index) {
        return 63 - Long.numberOfLeadingZeros(index / FIRST + 1);
    }

    static long slotOffset(long index) {
        int c = chunkIndex(index);
        return (index + FIRST - (FIRST << c)) * 8;
    }
}
