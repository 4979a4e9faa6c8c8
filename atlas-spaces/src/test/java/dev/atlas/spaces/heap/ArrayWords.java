package dev.atlas.spaces.heap;

import java.util.concurrent.atomic.AtomicLongArray;

/** {@link Words} over an {@link AtomicLongArray}, whose accesses Lincheck can interleave (model checks). */
public record ArrayWords(AtomicLongArray a) implements Words {
    @Override public long getVolatile(long offset) { return a.get(index(offset)); }
    @Override public void setVolatile(long offset, long value) { a.set(index(offset), value); }
    @Override public boolean compareAndSet(long offset, long e, long v) { return a.compareAndSet(index(offset), e, v); }
    @Override public long getAndSet(long offset, long value) { return a.getAndSet(index(offset), value); }
    @Override public long getAndAdd(long offset, long delta) { return a.getAndAdd(index(offset), delta); }
    @Override public long byteSize() { return a.length() * 8L; }

    private static int index(long offset) {
        return (int) (offset >>> 3);
    }
}
