package dev.atlas.memory.snapshot;

import java.time.Duration;

/**
 * What taking a snapshot cost.
 *
 * @param method           {@link SnapshotMethod#COPY_BEFORE_WRITE} or {@link SnapshotMethod#EAGER_COPY}
 * @param bytes            total size of the regions
 * @param arming           set-up before the cut, writers running (registering and
 *                         write-protecting; allocating the copy for an eager copy)
 * @param cut              the cut: how long stopping the writers took, the pause and the work at the cut
 * @param pagesReprotected pages written while arming, protected again at the cut
 */
public record SnapshotStats(SnapshotMethod method, long bytes, Duration arming, CutTiming cut, long pagesReprotected) {
}
