package dev.atlas.spaces.heap;

import dev.atlas.memory.snapshot.SnapshotRegion;

/**
 * {@link Words} of a memory snapshot of a space's segment ({@link SnapshotRegion} of a
 * {@code MemorySnapshot} taken over {@code SharedSpace.segment()}), read-only: the structures
 * in the segment read as they were at the snapshot's cut while their writers go on.
 *
 * <p>Threading contract: any thread, while the snapshot lives (reads after its release throw
 * {@link IllegalStateException}). Every write throws {@link UnsupportedOperationException}.
 */
public record SnapshotWords(SnapshotRegion snapshot) implements Words {
    @Override
    public long getVolatile(long offset) {
        return snapshot.getLong(offset);
    }

    @Override
    public void setVolatile(long offset, long value) {
        throw readOnly(offset);
    }

    @Override
    public boolean compareAndSet(long offset, long expected, long value) {
        throw readOnly(offset);
    }

    @Override
    public long getAndSet(long offset, long value) {
        throw readOnly(offset);
    }

    @Override
    public long getAndAdd(long offset, long delta) {
        throw readOnly(offset);
    }

    @Override
    public long byteSize() {
        return snapshot.byteSize();
    }

    private UnsupportedOperationException readOnly(long offset) {
        return new UnsupportedOperationException("write at offset " + offset + " of snapshot region '" + snapshot.name()
                + "': a snapshot is read-only");
    }
}
