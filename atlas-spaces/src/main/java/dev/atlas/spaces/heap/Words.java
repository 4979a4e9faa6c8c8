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

    /** The number of bytes addressable. */
    long byteSize();
}
