package dev.atlas.spaces.heap;

/**
 * 64-bit words addressed by byte offset, with volatile and compare-and-set access: the
 * memory the {@link SharedHeap} allocator works on. In a space it is a mapped segment
 * ({@link SegmentWords}); model checks use an {@code AtomicLongArray}, whose accesses
 * Lincheck can interleave.
 *
 * <p>Threading contract: every method is atomic and sequentially consistent (volatile
 * semantics); offsets are multiples of 8.
 */
public interface Words {
    long getVolatile(long offset);

    void setVolatile(long offset, long value);

    boolean compareAndSet(long offset, long expected, long value);

    /** Atomically sets the word to {@code value}; returns the previous value. */
    long getAndSet(long offset, long value);

    /** Atomically adds {@code delta} to the word; returns the previous value. */
    long getAndAdd(long offset, long delta);

    /** The number of bytes addressable. */
    long byteSize();

    /**
     * Sets {@code length} bytes (a multiple of 8) from {@code offset} to zero. Not atomic as a
     * whole: meant for memory nobody else can reach yet (a block just allocated), published
     * afterwards by a volatile store or CAS.
     */
    default void zero(long offset, long length) {
        for (long o = offset; o < offset + length; o += 8) {
            setVolatile(o, 0);
        }
    }
}
