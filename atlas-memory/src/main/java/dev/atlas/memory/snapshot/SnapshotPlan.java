package dev.atlas.memory.snapshot;

import dev.atlas.memory.Region;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a {@link MemorySnapshot.Builder} was told, checked, for a {@link SnapshotStrategy}:
 * the regions by name (their mappings, the first also read), which of them are memory-space
 * regions, the cut and the copy-before-write settings.
 *
 * <p>Threading: confined to the thread taking the snapshot.
 */
record SnapshotPlan(Map<String, List<MemorySegment>> specs, Map<String, Region> spaceRegions, SnapshotCut cut,
                    int chunkPages, boolean background, int preCutRounds, Duration handlerSpin) {

    long totalBytes() {
        return specs.values().stream().mapToLong(l -> l.getFirst().byteSize()).sum();
    }
}
