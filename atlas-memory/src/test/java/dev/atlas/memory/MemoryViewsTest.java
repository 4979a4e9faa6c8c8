package dev.atlas.memory;

import dev.atlas.core.View;
import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared regions, overlays, protections: the semantics of memory views. */
class MemoryViewsTest {
    private ViewSpace space;
    private MemorySpace memory;
    private long page;

    @BeforeEach
    void setUp() {
        space = ViewSpace.create("views-test");
        memory = MemorySpace.create(space, "views-test", 64L << 20);
        page = memory.pageSize();
    }

    @AfterEach
    void tearDown() {
        memory.close();
        space.close();
    }

    private View derive(String name, java.util.function.Consumer<MemoryViewBuilder> decl) {
        return memory.configure(space.derive(space.baseView(), name), decl).publish();
    }

    @Test
    void aStoreThroughOneViewIsVisibleThroughEveryOtherAtOnce() {
        Region r = memory.allocate("orders", 16 * page);
        View a = derive("a", m -> {});
        View b = derive("b", m -> {});
        MemorySegment sa = memory.segment(a, r);
        MemorySegment sb = memory.segment(b, r);
        MemorySegment base = memory.segment(space.baseView(), r);
        assertNotEquals(sa.address(), sb.address(), "each view maps the space at its own base address");
        sa.set(JAVA_LONG, 5 * page + 16, 42L);
        assertEquals(42L, sb.get(JAVA_LONG, 5 * page + 16));
        assertEquals(42L, base.get(JAVA_LONG, 5 * page + 16));
        sb.set(JAVA_LONG, 0, 7L);
        assertEquals(7L, sa.get(JAVA_LONG, 0));
    }

    @Test
    void regionsHaveTheSameOffsetInEveryViewSoStoredOffsetsMeanTheSameThing() {
        Region first = memory.allocate("first", 3 * page);
        View a = derive("a", m -> {});
        Region second = memory.allocate("second", 5 * page);   // allocated after the view exists
        assertEquals(3 * page, second.offset());
        long[] bases = new long[2];
        int i = 0;
        for (View v : List.of(space.baseView(), a)) {
            bases[i++] = memory.segment(v, first).address();
            assertEquals(memory.segment(v, first).address() + second.offset(), memory.segment(v, second).address());
        }
        // an "offset pointer" written through one view resolves through the other
        memory.segment(a, first).set(JAVA_LONG, 0, second.offset() + 8);
        memory.segment(a, second).set(JAVA_LONG, 8, 99L);
        long off = memory.segment(space.baseView(), first).get(JAVA_LONG, 0);
        assertEquals(99L, memory.segment(space.baseView(), second).get(JAVA_LONG, off - second.offset()));
        assertNotEquals(bases[0], bases[1]);
        assertEquals(memory.region("second").orElseThrow(), second);
        assertTrue(memory.region("third").isEmpty());
    }

    @Test
    void theCallingThreadsCurrentViewDecidesWhichMappingSegmentUses() throws Exception {
        Region r = memory.allocate("r", page);
        View ro = derive("ro", m -> m.protect(r, Protection.READ_ONLY));
        assertFalse(memory.segment(r).isReadOnly());
        Thread t = Thread.ofPlatform().start(() -> {
            space.bindCurrentThread(ro);
            try (ViewScope s = space.enter()) {
                assertSame(ro, s.view());
                assertTrue(memory.segment(r).isReadOnly());
            }
            space.switchCurrentThread(space.baseView());
            assertFalse(memory.segment(r).isReadOnly());
        });
        t.join();
    }

    @Test
    void overlayKeepsShowingOtherViewsStoresToPagesItHasNotWritten() {
        Region r = memory.allocate("r", 8 * page);
        View o = derive("overlay", m -> m.overlay(r));
        MemorySegment shared = memory.segment(space.baseView(), r);
        MemorySegment priv = memory.segment(o, r);
        shared.set(JAVA_LONG, 0, 1L);
        assertEquals(1L, priv.get(JAVA_LONG, 0), "read before any write: the shared page");
        shared.set(JAVA_LONG, 0, 2L);
        assertEquals(2L, priv.get(JAVA_LONG, 0), "a page only read still follows the shared one");
    }

    @Test
    void divergingCopiesNothingUntilAPageIsWritten() {
        Region r = memory.allocate("r", 256 * page);
        memory.segment(space.baseView(), r).fill((byte) 3);            // populated
        View o = derive("overlay", m -> m.overlay(r));
        MemorySegment priv = memory.segment(o, r);
        long sum = 0;
        for (long off = 0; off < priv.byteSize(); off += page) {
            sum += priv.get(ValueLayout.JAVA_BYTE, off);
        }
        assertEquals(3 * 256, sum);
        assertEquals(0, dev.atlas.memory.linux.Pagemap.privatePages(priv).cardinality(), "reading copies nothing");
        priv.set(ValueLayout.JAVA_BYTE, 17 * page, (byte) 4);
        assertEquals(1, dev.atlas.memory.linux.Pagemap.privatePages(priv).cardinality(), "one write, one page copied");
    }

    @Test
    void onceAnOverlayWritesAPageItKeepsItsOwnCopyOfThatPageOnly() {
        Region r = memory.allocate("r", 8 * page);
        View o = derive("overlay", m -> m.overlay(r));
        MemorySegment shared = memory.segment(space.baseView(), r);
        MemorySegment priv = memory.segment(o, r);
        shared.set(JAVA_LONG, 3 * page, 10L);
        priv.set(JAVA_LONG, 3 * page + 8, 20L);              // copies page 3
        assertEquals(0L, shared.get(JAVA_LONG, 3 * page + 8), "the overlay's store stays private");
        assertEquals(10L, priv.get(JAVA_LONG, 3 * page), "the copy was taken from the shared page");
        shared.set(JAVA_LONG, 3 * page, 11L);
        assertEquals(10L, priv.get(JAVA_LONG, 3 * page), "later shared stores to a copied page are not seen");
        shared.set(JAVA_LONG, 4 * page, 12L);
        assertEquals(12L, priv.get(JAVA_LONG, 4 * page), "other pages are still shared");
    }

    @Test
    void anOverlayOfARangeLeavesTheRestOfTheRegionShared() {
        Region r = memory.allocate("r", 8 * page);
        View o = derive("overlay", m -> m.overlay(r, 2 * page, 2 * page));
        MemorySegment priv = memory.segment(o, r);
        MemorySegment shared = memory.segment(space.baseView(), r);
        priv.set(JAVA_LONG, page, 1L);          // shared part
        priv.set(JAVA_LONG, 2 * page, 2L);      // overlaid part
        priv.set(JAVA_LONG, 4 * page, 3L);      // shared part again
        assertEquals(1L, shared.get(JAVA_LONG, page));
        assertEquals(0L, shared.get(JAVA_LONG, 2 * page));
        assertEquals(3L, shared.get(JAVA_LONG, 4 * page));
        List<String> perms = Proc.permsOver(priv);
        assertEquals(List.of("rw-s", "rw-p", "rw-s"), perms);
    }

    @Test
    void anUnconfiguredChildIsTheSameAddressSpaceAsItsParentPrivatePagesIncluded() {
        Region r = memory.allocate("r", page);
        View o = derive("overlay", m -> m.overlay(r));
        View child = space.derive(o, "child").publish();
        memory.segment(o, r).set(JAVA_LONG, 0, 5L);
        assertEquals(memory.segment(o, r).address(), memory.segment(child, r).address());
        assertEquals(5L, memory.segment(child, r).get(JAVA_LONG, 0));
    }

    @Test
    void aConfiguredChildInheritsDeclarationsButGetsAFreshOverlay() {
        Region r = memory.allocate("r", page);
        Region q = memory.allocate("q", page);
        View o = derive("overlay", m -> m.overlay(r).protect(q, Protection.READ_ONLY));
        memory.segment(o, r).set(JAVA_LONG, 0, 5L);
        View child = memory.configure(space.derive(o, "child"), m -> {}).publish();
        assertEquals(0L, memory.segment(child, r).get(JAVA_LONG, 0), "the parent's private page is not inherited");
        memory.segment(child, r).set(JAVA_LONG, 0, 6L);
        assertEquals(0L, memory.segment(space.baseView(), r).get(JAVA_LONG, 0), "the child's overlay is private too");
        assertEquals(5L, memory.segment(o, r).get(JAVA_LONG, 0));
        assertTrue(memory.segment(child, q).isReadOnly(), "protection is inherited");
        View undone = memory.configure(space.derive(o, "undone"), m -> m.share(r).protect(q, Protection.READ_WRITE)).publish();
        memory.segment(undone, r).set(JAVA_LONG, 0, 7L);
        assertEquals(7L, memory.segment(space.baseView(), r).get(JAVA_LONG, 0), "share() undoes an inherited overlay");
        assertFalse(memory.segment(undone, q).isReadOnly());
    }

    @Test
    void aJavaWriteThroughAReadOnlyViewThrowsAndThePagesAreReadOnlyToo() {
        Region r = memory.allocate("r", 4 * page);
        View ro = derive("ro", m -> m.protect(r, Protection.READ_ONLY));
        memory.segment(space.baseView(), r).set(JAVA_LONG, 0, 3L);
        MemorySegment s = memory.segment(ro, r);
        assertEquals(3L, s.get(JAVA_LONG, 0));
        assertTrue(s.isReadOnly());
        assertThrows(IllegalArgumentException.class, () -> s.set(JAVA_LONG, 0, 4L));
        assertThrows(IllegalArgumentException.class, () -> s.fill((byte) 1));
        assertEquals(3L, s.get(JAVA_LONG, 0));
        assertEquals(List.of("r--s"), Proc.permsOver(s), "mprotect'ed in that view only");
        assertEquals(List.of("rw-s"), Proc.permsOver(memory.segment(space.baseView(), r)));
        assertEquals(Protection.READ_ONLY, memory.protection(ro, r, 0));
    }

    @Test
    void anInaccessibleRangeIsRefusedWithAnExceptionAndIsProtNone() {
        Region r = memory.allocate("r", 4 * page);
        View v = derive("guarded", m -> m.protect(r, page, page, Protection.NONE)
                .protect(r, 2 * page, page, Protection.READ_ONLY));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> memory.segment(v, r));
        assertTrue(e.getMessage().contains("inaccessible"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> memory.segment(v, r, page, 8));
        assertFalse(memory.segment(v, r, 0, page).isReadOnly());
        assertTrue(memory.segment(v, r, 2 * page, page).isReadOnly());
        assertTrue(memory.segment(v, r, 2 * page, 2 * page).isReadOnly(), "weakest protection of the range");
        MemorySegment whole = memory.segment(space.baseView(), r);
        long viewBase = memory.segment(v, r, 0, page).address();
        List<String> perms = Proc.permsOver(viewBase, 4 * page);
        assertEquals(List.of("rw-s", "---s", "r--s", "rw-s"), perms);
        assertFalse(whole.isReadOnly());
    }

    @Test
    void protectionAndOverlayCombinePageByPage() {
        Region r = memory.allocate("r", 4 * page);
        View v = derive("mixed", m -> m.overlay(r).protect(r, 3 * page, page, Protection.READ_ONLY));
        MemorySegment s = memory.segment(v, r, 0, 3 * page);
        s.set(JAVA_LONG, 0, 1L);
        assertEquals(0L, memory.segment(space.baseView(), r).get(JAVA_LONG, 0));
        MemorySegment tail = memory.segment(v, r, 3 * page, page);
        memory.segment(space.baseView(), r).set(JAVA_LONG, 3 * page, 9L);
        assertEquals(9L, tail.get(JAVA_LONG, 0), "a read-only overlay page never written follows the shared page");
        assertEquals(List.of("rw-p", "r--p"), Proc.permsOver(memory.segment(v, r, 0, page).address(), 4 * page));
    }

    @Test
    void aSegmentsBytesAreAllPagesAccessible() {
        Region r = memory.allocate("bytes", 3 * page + 1);   // rounded up to whole pages
        assertEquals(4 * page, r.size());
        MemorySegment s = memory.segment(space.baseView(), r);
        s.set(ValueLayout.JAVA_BYTE, s.byteSize() - 1, (byte) 7);
        List<Long> values = new ArrayList<>();
        for (long off = 0; off < s.byteSize(); off += page) {
            values.add(s.get(JAVA_LONG, off));
        }
        assertEquals(List.of(0L, 0L, 0L, 0L), values);
    }
}
