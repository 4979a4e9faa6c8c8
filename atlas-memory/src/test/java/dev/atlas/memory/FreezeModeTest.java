package dev.atlas.memory;

import dev.atlas.core.View;
import dev.atlas.core.ViewBuilder;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.ViewState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The extension points the frozen divergence (userfaultfd) builds on. */
class FreezeModeTest {

    /** Records calls; copies nothing (so it behaves as an overlay). */
    static final class RecordingMode implements FreezeMode {
        final List<FreezeRequest> installed = new CopyOnWriteArrayList<>();
        final List<FreezeRequest> released = new CopyOnWriteArrayList<>();
        final List<ViewState> statesAtInstall = new ArrayList<>();
        boolean refuse;

        @Override
        public Handle install(FreezeRequest request) {
            statesAtInstall.add(request.view().state());
            if (refuse) {
                throw new UnsupportedOperationException("refused by the mode");
            }
            installed.add(request);
            return () -> released.add(request);
        }
    }

    @Test
    void aFrozenRangeIsInstalledWhilePreparingAndReleasedAfterRetirement() {
        try (ViewSpace space = ViewSpace.create("snap");
             MemorySpace memory = MemorySpace.create(space, "snap", 8L << 20)) {
            long page = memory.pageSize();
            Region r = memory.allocate("r", 8 * page);
            RecordingMode mode = new RecordingMode();
            View v = memory.configure(space.derive(space.baseView(), "snap-view"),
                    m -> m.diverge(r, 2 * page, 4 * page, Divergence.frozen(mode))).publish();
            assertEquals(List.of(ViewState.PREPARING), mode.statesAtInstall);
            FreezeRequest req = mode.installed.getFirst();
            assertEquals(2 * page, req.offset());
            assertEquals(4 * page, req.length());
            assertEquals(r.offset() + 2 * page, req.fileOffset());
            assertEquals(memory.segment(v, r).address() + 2 * page, req.target().address());
            assertEquals(List.of("rw-s", "rw-p", "rw-s"), Proc.permsOver(memory.segment(v, r)),
                    "the range is mapped private for the mode to work on");
            memory.segment(v, r).set(JAVA_LONG, 2 * page, 1L);
            assertEquals(0L, memory.segment(space.baseView(), r).get(JAVA_LONG, 2 * page));

            v.retire();
            Proc.await("released", () -> mode.released.size() == 1);
            assertEquals(req, mode.released.getFirst());
        }
    }

    @Test
    void aRefusingModeUndoesTheWholeViewMapping() {
        try (ViewSpace space = ViewSpace.create("snap2");
             MemorySpace memory = MemorySpace.create(space, "snap2", 8L << 20)) {
            Region r = memory.allocate("r", memory.pageSize());
            Region q = memory.allocate("q", memory.pageSize());
            RecordingMode ok = new RecordingMode();
            RecordingMode refusing = new RecordingMode();
            refusing.refuse = true;
            int lines = Proc.mapsOf("snap2").size();
            ViewBuilder b = space.derive(space.baseView());
            assertThrows(UnsupportedOperationException.class, () -> memory.configure(b,
                    m -> m.diverge(r, Divergence.frozen(ok)).diverge(q, Divergence.frozen(refusing))));
            assertEquals(1, ok.released.size(), "the freeze installed first was released");
            assertEquals(lines, Proc.mapsOf("snap2").size());
            b.abandon();
        }
    }

    @Test
    void mappingListenersAndMappedRangesShowEveryViewsMappingOfARegion() {
        try (ViewSpace space = ViewSpace.create("snap3");
             MemorySpace memory = MemorySpace.create(space, "snap3", 8L << 20)) {
            Region r = memory.allocate("r", memory.pageSize());
            List<MappedRange> mapped = new CopyOnWriteArrayList<>();
            List<MappedRange> unmapped = new CopyOnWriteArrayList<>();
            memory.addMappingListener(new MappingListener() {
                @Override
                public void mapped(MappedRange range) {
                    mapped.add(range);
                }

                @Override
                public void unmapping(MappedRange range) {
                    unmapped.add(range);
                }
            });
            View v = memory.configure(space.derive(space.baseView()), m -> m.overlay(r)).publish();
            Region late = memory.allocate("late", memory.pageSize());
            assertEquals(3, mapped.size(), "v's r, then 'late' in the base mapping and in v");
            assertFalse(mapped.getFirst().shared());
            List<MappedRange> ranges = memory.mappedRanges(late);
            assertEquals(2, ranges.size());
            assertTrue(ranges.stream().allMatch(MappedRange::shared));
            v.retire();
            Proc.await("unmapping announced", () -> unmapped.size() == 2);
            assertEquals(1, memory.mappedRanges(r).size());
        }
    }
}
