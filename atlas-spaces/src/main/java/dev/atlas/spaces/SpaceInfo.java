package dev.atlas.spaces;

import dev.atlas.spaces.format.SpaceMetadata;

import java.util.List;

/**
 * What {@code atlas spaces list|inspect} shows of a space, read without attaching.
 *
 * @param metadata the newest metadata (owner, mode, segments with addresses, roots)
 * @param attached pids of live processes attached read-write
 * @param heapUsed bytes handed out by the main segment's allocator
 */
public record SpaceInfo(SpaceMetadata metadata, List<Long> attached, long heapUsed) {
    /** Total bytes of all segments. */
    public long size() {
        return metadata.segments().stream().mapToLong(SpaceMetadata.Segment::size).sum();
    }
}
