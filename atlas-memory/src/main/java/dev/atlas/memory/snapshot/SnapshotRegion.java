package dev.atlas.memory.snapshot;

import dev.atlas.memory.uffd.WriteProtectHandler;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * One region of a {@link MemorySnapshot}: its contents as of the cut, read-only.
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=snapshot-region}
 *
 * <p>Thread safety: may be read from any number of threads, while writers keep writing
 * to the live memory; reads after the snapshot's release throw {@link IllegalStateException}.
 */
public final class SnapshotRegion {
    /*
     * Implementation notes / memory ordering.
     *
     * Copy-before-write: page p of the cut is in `buffers.copy()` if its saved bit is set,
     * otherwise still in the live mapping. The handler sets the bit (release) before it
     * un-protects the page, so a writer's post-cut store to p happens after the bit is set.
     * A reader that finds the bit clear reads the live page, then (acquire fence) reads the
     * bit again: if it saw any post-cut byte it sees the bit set and reads the saved copy
     * instead. A page whose bit stays clear across the read was protected all along.
     * Eager copy: `live` is null and `copy` holds every page.
     */
    private static final long PAGE = 4096;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySnapshot owner;
    private final String name;
    private final long size;
    private final MemorySegment live;
    private final WriteProtectHandler.RegionBuffers buffers;
    private final MemorySegment copy;

    SnapshotRegion(MemorySnapshot owner, String name, long size, MemorySegment live,
                   WriteProtectHandler.RegionBuffers buffers, MemorySegment copy) {
        this.owner = owner;
        this.name = name;
        this.size = size;
        this.live = live;
        this.buffers = buffers;
        this.copy = copy;
    }

    /** The snapshot's own buffer (copies of saved pages, or every page for an eager copy); for tests. */
    MemorySegment copyBuffer() {
        return copy;
    }

    /** The region's name, as given to the builder. */
    public String name() {
        return name;
    }

    /** Its size in bytes. */
    public long byteSize() {
        return size;
    }

    /**
     * The 8 bytes at {@code offset}, native byte order, as of the cut.
     *
     * @throws IndexOutOfBoundsException if {@code [offset, offset + 8)} is not inside the region
     * @throws IllegalStateException     if the snapshot was released
     */
    public long getLong(long offset) {
        Objects.checkFromIndexSize(offset, 8, size);
        owner.ensureLive();
        if (live == null) {
            return copy.get(LONG, offset);
        }
        long page = offset / PAGE;
        if ((offset + 7) / PAGE != page) {
            byte[] b = new byte[8];
            copyTo(offset, MemorySegment.ofArray(b), 0, 8);
            return MemorySegment.ofArray(b).get(LONG, 0);
        }
        if (buffers.isSaved(page)) {
            return copy.get(LONG, offset);
        }
        long v = live.get(LONG, offset);
        VarHandle.acquireFence();
        return buffers.isSaved(page) ? copy.get(LONG, offset) : v;
    }

    /**
     * Copies {@code length} bytes from {@code offset} of the region, as of the cut, to
     * {@code dst} at {@code dstOffset}.
     *
     * @throws IndexOutOfBoundsException if either range is out of bounds
     * @throws IllegalStateException     if the snapshot was released
     */
    public void copyTo(long offset, MemorySegment dst, long dstOffset, long length) {
        Objects.checkFromIndexSize(offset, length, size);
        Objects.checkFromIndexSize(dstOffset, length, dst.byteSize());
        owner.ensureLive();
        if (live == null) {
            MemorySegment.copy(copy, offset, dst, dstOffset, length);
            return;
        }
        long end = offset + length;
        while (offset < end) {
            long page = offset / PAGE;
            long n = Math.min(end, (page + 1) * PAGE) - offset;
            if (buffers.isSaved(page)) {
                MemorySegment.copy(copy, offset, dst, dstOffset, n);
            } else {
                MemorySegment.copy(live, offset, dst, dstOffset, n);
                VarHandle.acquireFence();
                if (buffers.isSaved(page)) {
                    MemorySegment.copy(copy, offset, dst, dstOffset, n);
                }
            }
            offset += n;
            dstOffset += n;
        }
    }

    /**
     * Writes the whole region, as of the cut, to {@code out}.
     *
     * @throws IllegalStateException if the snapshot was released
     */
    public void writeTo(WritableByteChannel out) throws IOException {
        Objects.requireNonNull(out, "out");
        byte[] chunk = new byte[(int) Math.min(size, 1 << 20)];
        MemorySegment buf = MemorySegment.ofArray(chunk);
        for (long off = 0; off < size; off += chunk.length) {
            int n = (int) Math.min(chunk.length, size - off);
            copyTo(off, buf, 0, n);
            ByteBuffer bb = ByteBuffer.wrap(chunk, 0, n);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
        }
    }

    @Override
    public String toString() {
        return "SnapshotRegion[" + name + ", " + size + " bytes]";
    }
}
