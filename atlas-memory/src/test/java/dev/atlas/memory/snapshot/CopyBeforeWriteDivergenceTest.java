package dev.atlas.memory.snapshot;

import dev.atlas.testsupport.Await;
import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.ViewState;
import dev.atlas.memory.Divergence;
import dev.atlas.memory.MemorySpace;
import dev.atlas.memory.Region;
import dev.atlas.memory.uffd.Userfaultfd;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CopyBeforeWriteDivergenceTest {
    static final long PAGE = 4096;
    static final int PAGES = 64;

    @BeforeEach
    void requireUffd() {
        assumeTrue(Userfaultfd.availability().available(), Userfaultfd.availability().reason());
    }

    static void fill(MemorySegment s, long base) {
        for (int p = 0; p < PAGES; p++) {
            s.set(ValueLayout.JAVA_LONG, p * PAGE, base + p);
        }
    }

    static long at(MemorySegment s, int page) {
        return s.get(ValueLayout.JAVA_LONG, page * PAGE);
    }

    @Test
    void underConcurrentWritersAFrozenViewNeverChanges() throws Exception {
        try (ViewSpace views = ViewSpace.create("div-stress");
             MemorySpace memory = MemorySpace.create(views, "div-stress", 16L << 20)) {
            Region r = memory.allocate("counters", PAGES * PAGE);
            MemorySegment shared = memory.segment(views.baseView(), r);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong passes = new java.util.concurrent.atomic.AtomicLong();
            Thread writer = Thread.ofPlatform().start(() -> {
                long n = 0;
                while (!stop.get()) {
                    n++;
                    for (int p = 0; p < PAGES; p++) {
                        shared.set(ValueLayout.JAVA_LONG, p * PAGE + (n % 512) * 8, n);
                    }
                    passes.set(n);   // a pass over every page is complete
                }
            });
            try {
                for (int i = 0; i < 10; i++) {
                    View frozen = memory.configure(views.derive(views.baseView(), "frozen-" + i),
                            m -> m.diverge(r, Divergence.frozen(CopyBeforeWriteDivergence.create()))).publish();
                    MemorySegment mine = memory.segment(frozen, r);
                    byte[] first = mine.toArray(ValueLayout.JAVA_BYTE);
                    long pass = passes.get();
                    // the writer goes on: one whole pass over every page after the first copy
                    Await.until("the writer wrote every page again", () -> passes.get() >= pass + 2);
                    byte[] second = mine.toArray(ValueLayout.JAVA_BYTE);
                    assertTrue(java.util.Arrays.equals(first, second), "frozen view " + i + " changed");
                    frozen.retire();
                    Await.until("frozen view " + i + " retired", () -> frozen.state() == ViewState.RETIRED);
                    // its handle is released on the housekeeper after retirement
                    Await.until("its userfaultfd closed", () -> userfaultfds() == 0);
                }
            } finally {
                stop.set(true);
                writer.join();
            }
        }
    }

    @Test
    void aFrozenViewSeesTheDivergenceInstantPlusItsOwnStoresOnly() throws Exception {
        long fds = MemorySnapshotTest.fds();
        try (ViewSpace views = ViewSpace.create("div");
             MemorySpace memory = MemorySpace.create(views, "div", 64L << 20)) {
            Region prices = memory.allocate("prices", PAGES * PAGE);
            View base = views.baseView();
            MemorySegment shared = memory.segment(base, prices);
            fill(shared, 100);
            View frozen = memory.configure(views.derive(base, "frozen"),
                    m -> m.diverge(prices, Divergence.frozen(CopyBeforeWriteDivergence.create()))).publish();
            MemorySegment mine = memory.segment(frozen, prices);
            assertEquals(105, at(mine, 5));          // read before the others write (the MAP_PRIVATE trap)

            fill(shared, 1000);                      // later stores of the base view
            for (int p = 0; p < PAGES; p++) {
                assertEquals(100 + p, at(mine, p), "page " + p + " as of the divergence");
                assertEquals(1000 + p, at(shared, p));
            }
            mine.set(ValueLayout.JAVA_LONG, 7 * PAGE, -7);     // its own store
            assertEquals(-7, at(mine, 7));
            assertEquals(1007, at(shared, 7), "the others never see it");

            // a view mapped later writes through its own mapping: still not seen
            Region scratch = memory.allocate("scratch", PAGE);
            View later = memory.configure(views.derive(base, "later"), m -> m.overlay(scratch)).publish();
            MemorySegment laterSeg = memory.segment(later, prices);
            laterSeg.set(ValueLayout.JAVA_LONG, 9 * PAGE + 8, 99);
            assertEquals(99, shared.get(ValueLayout.JAVA_LONG, 9 * PAGE + 8));
            assertEquals(0, mine.get(ValueLayout.JAVA_LONG, 9 * PAGE + 8));

            // two frozen views of one region: the second is refused, nothing left behind
            long before = MemorySnapshotTest.fds();
            RuntimeException e = assertThrows(RuntimeException.class, () -> memory.configure(views.derive(base, "second"),
                    m -> m.diverge(prices, Divergence.frozen(CopyBeforeWriteDivergence.create()))));
            assertTrue(String.valueOf(e.getMessage()).contains("already tracked")
                    || String.valueOf(e.getCause()).contains("already tracked"), String.valueOf(e));
            assertEquals(before, MemorySnapshotTest.fds());

            // retiring the frozen view releases the protection: writes go on, fd closed
            frozen.retire();
            Await.until("the frozen view retired", () -> frozen.state() == ViewState.RETIRED);
            // cleanup runs on the housekeeper after the state change
            Await.until("its userfaultfd closed", () -> userfaultfds() == 0);
            fill(shared, 5000);
            assertEquals(0, MemorySnapshotTest.userfaultfds());
        }
        assertEquals(fds, MemorySnapshotTest.fds());
    }

    private static long userfaultfds() {
        try {
            return MemorySnapshotTest.userfaultfds();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
