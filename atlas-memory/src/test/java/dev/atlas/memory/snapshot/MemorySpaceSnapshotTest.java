package dev.atlas.memory.snapshot;

import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.memory.MemorySpace;
import dev.atlas.memory.Region;
import dev.atlas.memory.uffd.Userfaultfd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Snapshots of memory-space regions: every view's mapping is protected, also views mapped later. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemorySpaceSnapshotTest {
    static final long PAGE = 4096;

    @ParameterizedTest
    @EnumSource(value = SnapshotMethod.class, names = {"COPY_BEFORE_WRITE", "EAGER_COPY"})
    void everyViewsWritesAfterTheCutStayOutOfTheSnapshot(SnapshotMethod method) throws Exception {
        if (method == SnapshotMethod.COPY_BEFORE_WRITE) {
            assumeTrue(Userfaultfd.availability().available(), Userfaultfd.availability().reason());
        }
        try (ViewSpace views = ViewSpace.create("ms-snap");
             MemorySpace memory = MemorySpace.create(views, "ms-snap", 16L << 20)) {
            Region prices = memory.allocate("prices", 32 * PAGE);
            Region scratch = memory.allocate("scratch", PAGE);
            View base = views.baseView();
            View other = memory.configure(views.derive(base, "other"), m -> m.overlay(scratch)).publish();
            MemorySegment viaBase = memory.segment(base, prices);
            MemorySegment viaOther = memory.segment(other, prices);
            for (int p = 0; p < 32; p++) {
                viaBase.set(ValueLayout.JAVA_LONG, p * PAGE, p);
            }
            try (MemorySnapshot s = MemorySnapshot.builder().region(memory, prices).method(method).take()) {
                SnapshotRegion r = s.region("prices");
                viaBase.set(ValueLayout.JAVA_LONG, 1 * PAGE, -1);
                viaOther.set(ValueLayout.JAVA_LONG, 2 * PAGE, -2);     // another view's mapping
                View later = memory.configure(views.derive(base, "later"), m -> m.overlay(scratch)).publish();
                memory.segment(later, prices).set(ValueLayout.JAVA_LONG, 3 * PAGE, -3);   // mapped after the snapshot
                assertEquals(-3, viaBase.get(ValueLayout.JAVA_LONG, 3 * PAGE));
                for (int p = 0; p < 32; p++) {
                    assertEquals(p, r.getLong(p * PAGE), "page " + p);
                }
            }
            assertEquals(0, MemorySnapshotTest.userfaultfds());
            viaOther.set(ValueLayout.JAVA_LONG, 4 * PAGE, -4);   // no protection left
        }
    }

    @Test
    void aRegionOfAnotherSpaceIsRefusedNamingIt() {
        try (ViewSpace views = ViewSpace.create("ms-bad");
             MemorySpace a = MemorySpace.create(views, "a", 1L << 20);
             MemorySpace b = MemorySpace.create(views, "b", 1L << 20)) {
            Region inB = b.allocate("inB", PAGE);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MemorySnapshot.builder().region(a, inB));
            assertTrue(e.getMessage().contains("inB") && e.getMessage().contains("'b'"), e.getMessage());
        }
    }
}
