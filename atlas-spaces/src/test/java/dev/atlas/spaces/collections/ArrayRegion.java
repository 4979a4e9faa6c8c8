package dev.atlas.spaces.collections;

import dev.atlas.spaces.heap.SharedHeap;
import dev.atlas.spaces.heap.Words;

import java.util.concurrent.atomic.AtomicLongArray;

/** A {@link Region} over an {@link AtomicLongArray} (whose accesses Lincheck interleaves), at a canonical base far from 0. */
final class ArrayRegion {
    private ArrayRegion() {}

    record ArrayWords(AtomicLongArray a) implements Words {
        public long getVolatile(long offset) { return a.get((int) (offset >>> 3)); }
        public void setVolatile(long offset, long value) { a.set((int) (offset >>> 3), value); }
        public boolean compareAndSet(long offset, long e, long v) { return a.compareAndSet((int) (offset >>> 3), e, v); }
        public long byteSize() { return a.length() * 8L; }
    }

    static Region create(int words) {
        ArrayWords w = new ArrayWords(new AtomicLongArray(words));
        return Region.of(w, SharedHeap.format(w), 1L << 40);
    }
}
