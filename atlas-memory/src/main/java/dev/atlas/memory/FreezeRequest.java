package dev.atlas.memory;

import dev.atlas.core.View;

import java.lang.foreign.MemorySegment;

/**
 * A range to be frozen in one view; see {@link FreezeMode}.
 *
 * @param space      the memory space
 * @param view       the view being prepared (state PREPARING)
 * @param region     the region
 * @param offset     offset of the range in the region (page-aligned)
 * @param target     the range in the view's mapping, writable, mapped {@code MAP_PRIVATE} from
 *                   the memory file; valid until the handle is released
 * @param memfd      the memory file descriptor (owned by the space: do not close)
 * @param fileOffset offset of the range in the memory file
 */
public record FreezeRequest(MemorySpace space, View view, Region region, long offset, MemorySegment target,
                            int memfd, long fileOffset) {
    /** Length of the range in bytes. */
    public long length() {
        return target.byteSize();
    }
}
