package dev.atlas.spaces.heap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * {@link Words} over a memory segment (a mapping shared by several processes): volatile
 * and CAS accesses through the {@code JAVA_LONG} var handle, which are atomic across
 * processes on the same host (the CPU's cache coherence does not care which process
 * issued them). Bounds-checked: an offset outside the segment throws
 * {@link IndexOutOfBoundsException}, never touches other memory.
 *
 * <p>Threading contract: as {@link Words}: any thread, any process.
 */
public record SegmentWords(MemorySegment segment) implements Words {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    @Override
    public long getVolatile(long offset) {
        return (long) LONG.getVolatile(segment, offset);
    }

    @Override
    public void setVolatile(long offset, long value) {
        LONG.setVolatile(segment, offset, value);
    }

    @Override
    public boolean compareAndSet(long offset, long expected, long value) {
        return LONG.compareAndSet(segment, offset, expected, value);
    }

    @Override
    public long getAndSet(long offset, long value) {
        return (long) LONG.getAndSet(segment, offset, value);
    }

    @Override
    public long getAndAdd(long offset, long delta) {
        return (long) LONG.getAndAdd(segment, offset, delta);
    }

    @Override
    public void zero(long offset, long length) {
        segment.asSlice(offset, length).fill((byte) 0);
    }

    @Override
    public long byteSize() {
        return segment.byteSize();
    }
}
