package dev.atlas.spaces.collections;

import dev.atlas.spaces.heap.ArrayWords;
import dev.atlas.spaces.heap.SharedHeap;

import java.util.concurrent.atomic.AtomicLongArray;

/** A {@link Region} over an {@link AtomicLongArray} (whose accesses Lincheck interleaves), at a canonical base far from 0. */
final class ArrayRegion {
    private ArrayRegion() {}

    static Region create(int words) {
        ArrayWords w = new ArrayWords(new AtomicLongArray(words));
        return Region.of(w, SharedHeap.format(w), 1L << 40);
    }
}
