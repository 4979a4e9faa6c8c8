package dev.atlas.spaces;

import dev.atlas.spaces.format.SpaceMetadata;

import java.util.List;

/**
 * What {@code atlas spaces list|inspect} shows of a space, read without attaching.
 *
 * @param metadata the newest metadata (owner, mode, segments with addresses, roots)
 * @param attached pids of live processes attached read-write
 * @param heapUsed bytes handed out by the main segment's allocator (-1 if its heap is unreadable)
 * @param lockHolder pid holding the space's robust lock, or 0 if free
 * @param lockHolderAlive whether that process is alive (if not, the next locker takes the lock over)
 * @param deadAttached entries of the attached table whose process died without detaching
 */
public record SpaceInfo(SpaceMetadata metadata, List<Long> attached, long heapUsed, int lockHolder,
                        boolean lockHolderAlive, List<Long> deadAttached) {
    /** Total bytes of all segments. */
    public long size() {
        return metadata.segments().stream().mapToLong(SpaceMetadata.Segment::size).sum();
    }
}
