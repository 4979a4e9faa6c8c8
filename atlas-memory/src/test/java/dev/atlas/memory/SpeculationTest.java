package dev.atlas.memory;

import dev.atlas.core.View;
import dev.atlas.core.ViewRetiredException;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.ViewState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpeculationTest {
    private ViewSpace space;
    private MemorySpace memory;
    private long page;
    private Region a;
    private Region b;

    @BeforeEach
    void setUp() {
        space = ViewSpace.create("spec-test");
        memory = MemorySpace.create(space, "spec-test", 16L << 20);
        page = memory.pageSize();
        a = memory.allocate("a", 32 * page);
        b = memory.allocate("b", 32 * page);
    }

    @AfterEach
    void tearDown() {
        memory.close();
        space.close();
    }

    @Test
    void commitCopiesExactlyTheWrittenPagesIntoTheSharedRegion() {
        MemorySegment shared = memory.segment(space.baseView(), a);
        for (long p = 0; p < 32; p++) {
            shared.set(JAVA_LONG, p * page, 100 + p);
        }
        Speculation s = memory.speculate(space.baseView(), a, b);
        MemorySegment sa = memory.segment(s.view(), a);
        MemorySegment sb = memory.segment(s.view(), b);
        long readSum = 0;
        for (long p = 0; p < 32; p++) {
            readSum += sa.get(JAVA_LONG, p * page);          // reading copies nothing
        }
        assertEquals(32 * 100 + 31 * 32 / 2, readSum);
        sa.set(JAVA_LONG, 3 * page + 8, -3L);
        sa.set(JAVA_LONG, 17 * page, -17L);
        sb.set(JAVA_LONG, 0, -1L);
        assertEquals(0L, shared.get(JAVA_LONG, 3 * page + 8), "invisible before commit");
        assertEquals(3, s.writtenPages());

        // another view writes an untouched page meanwhile: commit must not overwrite it
        shared.set(JAVA_LONG, 5 * page, 555L);

        Speculation.Result r = s.commit();
        assertEquals(3, r.pages());
        assertEquals(3 * page, r.bytes());
        assertEquals(-3L, shared.get(JAVA_LONG, 3 * page + 8));
        assertEquals(103L, shared.get(JAVA_LONG, 3 * page), "the rest of a written page comes along unchanged");
        assertEquals(-17L, shared.get(JAVA_LONG, 17 * page));
        assertEquals(555L, shared.get(JAVA_LONG, 5 * page), "pages the speculation did not write are untouched");
        assertEquals(-1L, memory.segment(space.baseView(), b).get(JAVA_LONG, 0));
        assertTrue(s.view().state() == ViewState.RETIRING || s.view().state() == ViewState.RETIRED);
    }

    @Test
    void discardDropsTheWritesAndTheParentNeverSeesThem() {
        Speculation s = memory.speculate(space.baseView(), a);
        memory.segment(s.view(), a).set(JAVA_LONG, 0, 9L);
        memory.segment(s.view(), a).set(JAVA_LONG, page, 9L);
        MemorySegment stale = memory.segment(s.view(), a);
        assertEquals(2, s.discard().pages());
        assertEquals(0L, memory.segment(space.baseView(), a).get(JAVA_LONG, 0));
        Proc.await("speculative view retired", () -> s.view().state() == ViewState.RETIRED);
        assertThrows(IllegalStateException.class, () -> memory.segment(s.view(), a));
        Proc.await("unmapped", () -> !stale.scope().isAlive());
        assertThrows(IllegalStateException.class, () -> stale.get(JAVA_LONG, 0));
    }

    @Test
    void aSpeculationIsSingleUse() {
        Speculation s = memory.speculate(space.baseView(), a);
        s.discard();
        assertThrows(IllegalStateException.class, s::commit);
        assertThrows(IllegalStateException.class, s::discard);
    }

    @Test
    void aSpeculationCommitsIntoAnOverlaidParentsPrivatePages() {
        View parent = memory.configure(space.derive(space.baseView(), "parent"), m -> m.overlay(a)).publish();
        Speculation s = memory.speculate(parent, a);
        memory.segment(s.view(), a).set(JAVA_LONG, 0, 1L);
        assertEquals(1, s.commit().pages());
        assertEquals(1L, memory.segment(parent, a).get(JAVA_LONG, 0));
        assertEquals(0L, memory.segment(space.baseView(), a).get(JAVA_LONG, 0));
    }

    @Test
    void badSpeculationsAreRefused() {
        int before = space.views().size();
        View ro = memory.configure(space.derive(space.baseView(), "ro"), m -> m.protect(a, Protection.READ_ONLY)).publish();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.speculate(ro, a));
        assertTrue(e.getMessage().contains("not read-write"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> memory.speculate(space.baseView()));
        assertThrows(IllegalArgumentException.class, () -> memory.speculate(space.baseView(), a, a));
        View gone = space.derive(space.baseView(), "gone").publish();
        gone.retire();
        Proc.await("retired", () -> gone.state() == ViewState.RETIRED);
        assertThrows(ViewRetiredException.class, () -> memory.speculate(gone, a));
        assertEquals(before + 1, space.views().size(), "refused speculations leave no view behind (only 'ro')");
    }
}
