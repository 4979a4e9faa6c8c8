package dev.atlas.memory.snapshot;

import dev.atlas.memory.linux.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Eager copy: private anonymous memory for every region is mapped (and populated) before the
 * cut, and every region is copied whole inside it, the writers stopped for the whole copy.
 * Works wherever userfaultfd does not.
 *
 * <p>Threading: confined to the thread taking the snapshot.
 */
final class EagerCopyStrategy implements SnapshotStrategy {

    @Override
    @SuppressWarnings("restricted")
    public MemorySnapshot take(SnapshotPlan plan, long id, String fallbackReason) {
        long t0 = System.nanoTime();
        Map<String, List<MemorySegment>> specs = plan.specs();
        List<MemorySegment> copies = new ArrayList<>();
        Arena arena = Arena.ofShared();
        try {
            for (List<MemorySegment> ms : specs.values()) {
                copies.add(Linux.mmap(MemorySegment.NULL, ms.getFirst().byteSize(), Linux.PROT_READ | Linux.PROT_WRITE,
                        Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS | Linux.MAP_POPULATE, -1, 0));
            }
            long armed = System.nanoTime();
            CutTiming ct = plan.cut().cut(() -> {
                int i = 0;
                for (List<MemorySegment> ms : specs.values()) {
                    MemorySegment.copy(ms.getFirst(), 0, copies.get(i++), 0, ms.getFirst().byteSize());
                }
            });
            MemorySnapshot s = new MemorySnapshot(id, null, arena, List.copyOf(copies), fallbackReason);
            int i = 0;
            for (Map.Entry<String, List<MemorySegment>> e : specs.entrySet()) {
                long size = e.getValue().getFirst().byteSize();
                MemorySegment c = copies.get(i++).reinterpret(size, arena, null);
                s.regions.put(e.getKey(), new SnapshotRegion(s, e.getKey(), size, null, null, c));
            }
            s.stats = new SnapshotStats(SnapshotMethod.EAGER_COPY, plan.totalBytes(), Duration.ofNanos(armed - t0), ct, 0);
            return s;
        } catch (RuntimeException | Error e) {
            arena.close();
            for (MemorySegment c : copies) {
                try {
                    Linux.munmap(c);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }
}
