package dev.atlas.spaces.collections;

import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceException;
import dev.atlas.spaces.heap.SegmentWords;
import dev.atlas.memory.snapshot.SnapshotRegion;
import dev.atlas.spaces.heap.SharedHeap;
import dev.atlas.spaces.heap.SnapshotWords;
import dev.atlas.spaces.heap.Words;

import java.util.function.Consumer;

/**
 * The memory a shared structure lives in: the words of a segment, its allocator, and the
 * canonical address of its first byte. Structures store <em>pointers</em> (canonical
 * addresses, valid as they are in every FIXED attacher) and reach them through here.
 *
 * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=region}
 *
 * <p>Values are stored encoded ({@link #encode}): the stored word 0 means "no value" (an empty
 * vector slot, a removed map entry), so {@link #NO_VALUE} ({@code Long.MIN_VALUE}) is the one
 * value the structures cannot hold.
 *
 * <p>Threading contract: immutable; every access is volatile (see {@link Words}).
 *
 * @param words      the segment's words, offset 0 = its first byte
 * @param heap       the allocator in those words
 * @param base       the canonical address of offset 0
 * @param writeCheck called with the operation's name before every write; throws if writes are
 *                   not allowed (a read-only attachment)
 */
public record Region(Words words, SharedHeap heap, long base, Consumer<String> writeCheck) {
    /** The value a structure cannot store: it encodes to 0, "no value". */
    public static final long NO_VALUE = Long.MIN_VALUE;

    /** The region of an attached space; writes through a read-only attachment throw {@link SpaceException} READ_ONLY. */
    public static Region of(SharedSpace space) {
        return new Region(new SegmentWords(space.segment()), space.heap(), space.addressOf(0), space::requireWritable);
    }

    /**
     * The region as a memory snapshot of a space's segment saw it: {@code snapshot} is the
     * snapshot's region over {@code SharedSpace.segment()}, {@code base} that space's
     * {@code addressOf(0)}. Read-only: structures opened on it read, writes throw
     * {@link SpaceException} READ_ONLY.
     *
     * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=snapshot}
     */
    public static Region of(SnapshotRegion snapshot, long base) {
        SnapshotWords words = new SnapshotWords(snapshot);
        return new Region(words, SharedHeap.open(words), base, op -> {
            throw new SpaceException(SpaceException.Reason.READ_ONLY, op + " on snapshot region '" + snapshot.name()
                    + "': a snapshot is read-only");
        });
    }

    /** A writable region over {@code words} (model checks, tests). */
    public static Region of(Words words, SharedHeap heap, long base) {
        return new Region(words, heap, base, op -> { });
    }

    /** The byte offset of a pointer, bounds-checked. */
    public long offset(long pointer) {
        long off = pointer - base;
        if (pointer == 0 || off < 0 || off >= words.byteSize() || (off & 7) != 0) {
            throw new IllegalStateException("pointer 0x" + Long.toHexString(pointer) + " is not an aligned address inside"
                    + " the region [0x" + Long.toHexString(base) + ", 0x" + Long.toHexString(base + words.byteSize())
                    + "): the structure is damaged");
        }
        return off;
    }

    public long load(long pointer, long fieldOffset) {
        return words.getVolatile(offset(pointer) + fieldOffset);
    }

    public void store(long pointer, long fieldOffset, long value) {
        words.setVolatile(offset(pointer) + fieldOffset, value);
    }

    public boolean cas(long pointer, long fieldOffset, long expected, long value) {
        return words.compareAndSet(offset(pointer) + fieldOffset, expected, value);
    }

    /** Atomically sets a field; returns its previous value. */
    public long getAndSet(long pointer, long fieldOffset, long value) {
        return words.getAndSet(offset(pointer) + fieldOffset, value);
    }

    /** Atomically adds to a field (a counter); returns its previous value. */
    public long getAndAdd(long pointer, long fieldOffset, long delta) {
        return words.getAndAdd(offset(pointer) + fieldOffset, delta);
    }

    /** Allocates {@code bytes} (rounded up to 8) set to zero; returns its canonical address. */
    public long allocateZeroed(long bytes) {
        long off = heap.allocate(bytes);
        words.zero(off, (bytes + 7) & -8L);
        return base + off;
    }

    /** Returns a block {@link #allocateZeroed} gave, never published to anyone. */
    public void free(long pointer) {
        heap.free(offset(pointer));
    }

    /** @throws SpaceException READ_ONLY (for a space attached read-only) naming {@code operation} */
    public void checkWritable(String operation) {
        writeCheck.accept(operation);
    }

    /** The stored form of a value: never 0. */
    static long encode(long value) {
        if (value == NO_VALUE) {
            throw new IllegalArgumentException("value " + value + " (Long.MIN_VALUE) cannot be stored in a shared structure:"
                    + " it is reserved to mean 'no value'");
        }
        return value ^ NO_VALUE;
    }

    static long decode(long stored) {
        return stored ^ NO_VALUE;
    }

    /** Checks a structure's header: the pointer is inside and the magic matches. */
    void checkMagic(long pointer, long magic, String what) {
        long m = load(pointer, 0);
        if (m != magic) {
            throw new SpaceException(SpaceException.Reason.DAMAGED, "no " + what + " at 0x" + Long.toHexString(pointer)
                    + ": magic 0x" + Long.toHexString(m) + ", expected 0x" + Long.toHexString(magic));
        }
    }
}
