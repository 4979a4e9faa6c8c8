package dev.atlas.memory.snapshot;

import dev.atlas.memory.MappedRange;
import dev.atlas.memory.MappingListener;
import dev.atlas.memory.MemorySpace;
import dev.atlas.memory.Region;
import dev.atlas.libc.Errno;
import dev.atlas.memory.uffd.ScopeHold;
import dev.atlas.memory.uffd.UserfaultfdException;
import dev.atlas.memory.uffd.WriteProtectHandler;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static dev.atlas.memory.snapshot.MemorySnapshot.PAGE;

/**
 * Copy-before-write: every mapping of every region is registered with a userfaultfd
 * write-protect handler, which saves a page before its first write after the cut; the
 * writers pause only for the cut. A memory-space region is followed as its views are mapped
 * and unmapped (a {@link MappingListener} added before the live mappings are registered, so
 * that none is missed). The callers' arenas are held open while the snapshot lives
 * ({@link ScopeHold}).
 *
 * <p>Threading: confined to the thread taking the snapshot; single use.
 */
final class CopyBeforeWriteStrategy implements SnapshotStrategy {
    private final List<Runnable> listenersToRemove = new ArrayList<>();

    @Override
    public MemorySnapshot take(SnapshotPlan plan, long id, String fallbackReason) throws MemorySnapshot.FallBack {
        long t0 = System.nanoTime();
        Map<String, List<MemorySegment>> specs = plan.specs();
        int maps = specs.values().stream().mapToInt(List::size).sum() + 1024 * plan.spaceRegions().size();
        WriteProtectHandler h;
        try {
            h = WriteProtectHandler.open(specs.size(), maps, plan.chunkPages());
        } catch (UserfaultfdException e) {
            throw new MemorySnapshot.FallBack(e.getMessage());
        }
        MemorySnapshot s = new MemorySnapshot(id, h, null, List.of(), null);
        try {
            holdCallersMemory(plan, s, id);
            List<WriteProtectHandler.RegionBuffers> buffers = register(plan, s, h);
            h.spin(plan.handlerSpin());
            h.background(plan.background());
            Arming.Armed armed = Arming.armAndCut(h, plan.preCutRounds(), plan.cut());
            int index = 0;
            for (Map.Entry<String, List<MemorySegment>> e : specs.entrySet()) {
                WriteProtectHandler.RegionBuffers b = buffers.get(index++);
                MemorySegment live = e.getValue().getFirst();
                s.regions.put(e.getKey(), new SnapshotRegion(s, e.getKey(), live.byteSize(), live, b, b.copy()));
            }
            s.stats = new SnapshotStats(SnapshotMethod.COPY_BEFORE_WRITE, plan.totalBytes(),
                    Duration.ofNanos(armed.armedNanos() - t0), armed.cut(), armed.reprotectedAtCut());
            return s;
        } catch (MemorySnapshot.FallBack | RuntimeException | Error e) {
            try {
                listenersToRemove.forEach(Runnable::run);
                h.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            } finally {
                if (s.hold != null) {
                    s.hold.close();
                }
            }
            throw e;
        }
    }

    /** Keeps the arenas of the caller-given mappings open while the snapshot tracks them. */
    private static void holdCallersMemory(SnapshotPlan plan, MemorySnapshot s, long id) {
        List<MemorySegment> callers = new ArrayList<>();
        for (Map.Entry<String, List<MemorySegment>> e : plan.specs().entrySet()) {
            if (!plan.spaceRegions().containsKey(e.getKey())) {
                callers.addAll(e.getValue());
            }
        }
        if (!callers.isEmpty()) {
            try {
                s.hold = ScopeHold.acquire("snapshot-" + id, callers);
            } catch (IllegalStateException closed) {
                throw new IllegalStateException("snapshot #" + id + ": the memory of a region was closed", closed);
            }
        }
    }

    /** Declares every region with the handler and registers its mappings; the regions' buffers, in order. */
    private List<WriteProtectHandler.RegionBuffers> register(SnapshotPlan plan, MemorySnapshot s, WriteProtectHandler h)
            throws MemorySnapshot.FallBack {
        int index = 0;
        List<WriteProtectHandler.RegionBuffers> buffers = new ArrayList<>();
        for (Map.Entry<String, List<MemorySegment>> e : plan.specs().entrySet()) {
            List<MemorySegment> ms = e.getValue();
            buffers.add(h.declareRegion(index, ms.getFirst().byteSize() / PAGE, null));
            Region spaceRegion = plan.spaceRegions().get(e.getKey());
            if (spaceRegion != null) {
                trackSpaceRegion(s, h, index, spaceRegion);
            } else {
                for (int i = 0; i < ms.size(); i++) {
                    try {
                        h.register(index, ms.get(i));
                    } catch (UserfaultfdException ex) {
                        String which = "mapping " + i + " of region '" + e.getKey() + "'";
                        if (ex.errno() == Errno.EBUSY) {
                            throw new IllegalStateException(which + " is already tracked by another userfaultfd (a live"
                                    + " snapshot or frozen view of the same memory?); release that first", ex);
                        }
                        throw new MemorySnapshot.FallBack(which + ": " + ex.getMessage());
                    }
                }
            }
            index++;
        }
        return buffers;
    }

    /**
     * Registers every mapping of a memory-space region, and (through a listener, added
     * first so that none is missed) every mapping made later, until release.
     */
    private void trackSpaceRegion(MemorySnapshot s, WriteProtectHandler h, int index, Region region)
            throws MemorySnapshot.FallBack {
        MemorySpace space = region.space();
        Set<Long> registered = ConcurrentHashMap.newKeySet();
        MappingListener listener = new MappingListener() {
            @Override
            public void mapped(MappedRange r) {
                if (r.region().equals(region) && registered.add(r.segment().address())) {
                    h.registerLive(index, r.segment());
                }
            }

            @Override
            public void unmapping(MappedRange r) {
                if (r.region().equals(region) && registered.remove(r.segment().address())) {
                    h.unregister(r.segment());
                }
            }
        };
        space.addMappingListener(listener);
        Runnable remove = () -> space.removeMappingListener(listener);
        listenersToRemove.add(remove);
        s.onRelease.add(remove);
        for (MappedRange r : space.mappedRanges(region)) {
            if (!registered.add(r.segment().address())) {
                continue;
            }
            try {
                h.register(index, r.segment());
            } catch (UserfaultfdException ex) {
                String who = r.view() == null ? "the base mapping" : "view " + r.view().name();
                if (ex.errno() == Errno.EBUSY) {
                    throw new IllegalStateException(region + " in " + who + " is already tracked by another userfaultfd"
                            + " (a live snapshot or frozen view of it?); release that first", ex);
                }
                throw new MemorySnapshot.FallBack(region + " in " + who + ": " + ex.getMessage());
            }
        }
    }
}
