package dev.atlas.memory;

import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.ViewState;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifetimeTest {

    @Test
    void aRetiredViewsSegmentThrowsAndItsMappingIsGone() {
        try (ViewSpace space = ViewSpace.create("life");
             MemorySpace memory = MemorySpace.create(space, "life", 8L << 20)) {
            Region r = memory.allocate("r", 4 * memory.pageSize());
            View v = memory.configure(space.derive(space.baseView(), "v"), m -> m.overlay(r)).publish();
            MemorySegment s = memory.segment(v, r);
            s.set(JAVA_LONG, 0, 1L);
            long address = s.address();
            int linesBefore = Proc.mapsOf("life").size();
            long unusedPart = memory.capacity() - r.size();
            long reservations = Proc.reservationsOfSize(unusedPart);
            assertTrue(Proc.memfdMappedOver("life", address, r.size()));

            v.retire();
            Proc.await("mapping closed", () -> !s.scope().isAlive());
            Proc.await("unmapped", () -> !Proc.memfdMappedOver("life", address, memory.capacity()));
            assertEquals(ViewState.RETIRED, v.state());
            assertThrows(IllegalStateException.class, () -> s.get(JAVA_LONG, 0));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> memory.segment(v, r));
            assertTrue(e.getMessage().contains("retired"), e.getMessage());
            assertEquals(reservations - 1, Proc.reservationsOfSize(unusedPart), "the view's reservation is unmapped too");
            assertTrue(Proc.mapsOf("life").size() < linesBefore);
            assertEquals(7L, writeAndRead(memory.segment(space.baseView(), r)), "the base mapping is untouched");
        }
    }

    @Test
    void anUnconfiguredChildKeepsItsParentsMappingAliveUntilItRetiresToo() {
        try (ViewSpace space = ViewSpace.create("life2");
             MemorySpace memory = MemorySpace.create(space, "life2", 8L << 20)) {
            Region r = memory.allocate("r", memory.pageSize());
            View parent = memory.configure(space.derive(space.baseView(), "parent"), m -> m.overlay(r)).publish();
            View child = space.derive(parent, "child").publish();
            MemorySegment s = memory.segment(child, r);
            s.set(JAVA_LONG, 0, 3L);
            java.util.concurrent.CountDownLatch parentCleanedUp = new java.util.concurrent.CountDownLatch(1);
            space.addListener(new dev.atlas.core.observe.SpaceListener() {
                @Override
                public void viewRetired(ViewRetired event) {
                    if (event.viewId() == parent.id()) {
                        parentCleanedUp.countDown();
                    }
                }
            });
            parent.retire();
            Proc.await("the parent's cleanup ran", () -> parentCleanedUp.getCount() == 0);
            // the child still uses the parent's mapping
            assertEquals(3L, s.get(JAVA_LONG, 0));
            assertEquals(3L, memory.segment(child, r).get(JAVA_LONG, 0));
            child.retire();
            Proc.await("mapping closed after the child", () -> !s.scope().isAlive());
        }
    }

    @Test
    void closingTheSpacesLeavesNoMappingAndNoFileDescriptor() {
        long fds = Proc.openFds();
        try (ViewSpace space = ViewSpace.create("leak")) {
            MemorySpace memory = MemorySpace.create(space, "leak", 32L << 20);
            Region r = memory.allocate("r", 1L << 20);
            Region q = memory.allocate("q", 1L << 20);
            View v = memory.configure(space.derive(space.baseView(), "v"),
                    m -> m.overlay(r).protect(q, Protection.READ_ONLY)).publish();
            MemorySegment baseSeg = memory.segment(space.baseView(), r);
            MemorySegment viewSeg = memory.segment(v, r);
            viewSeg.fill((byte) 1);
            assertEquals(fds + 1, Proc.openFds(), "one memfd");
            assertFalse(Proc.mapsOf("leak").isEmpty());
            memory.close();
            assertTrue(Proc.mapsOf("leak").isEmpty(), "no mapping of the memory file is left");
            assertEquals(0, Proc.reservationsOfSize(memory.capacity() - (2L << 20)), "no reservation left");
            assertThrows(IllegalStateException.class, () -> viewSeg.get(JAVA_LONG, 0));
            assertThrows(IllegalStateException.class, () -> baseSeg.set(JAVA_LONG, 0, 1L));
            assertThrows(IllegalStateException.class, () -> memory.segment(space.baseView(), r));
            assertThrows(IllegalStateException.class, () -> memory.allocate("late", 1));
            memory.close();   // idempotent
        }
        assertEquals(fds, Proc.openFds(), "fd count back to baseline");
    }

    @Test
    void retiringManyViewsLeavesOnlyTheBaseMapping() {
        long fds = Proc.openFds();
        try (ViewSpace space = ViewSpace.create("many");
             MemorySpace memory = MemorySpace.create(space, "many", 8L << 20)) {
            Region r = memory.allocate("r", 2 * memory.pageSize());
            int baseLines = Proc.mapsOf("many").size();
            long unusedPart = memory.capacity() - r.size();
            long reservations = Proc.reservationsOfSize(unusedPart);
            for (int i = 0; i < 50; i++) {
                View v = memory.configure(space.derive(space.baseView()), m -> m.overlay(r, 0, memory.pageSize())).publish();
                memory.segment(v, r).set(JAVA_LONG, 0, i);
                v.retire();
            }
            Proc.await("all retired", () -> Proc.mapsOf("many").size() == baseLines);
            Proc.await("all reservations gone", () -> Proc.reservationsOfSize(unusedPart) == reservations);
            assertEquals(fds + 1, Proc.openFds());
        }
        assertEquals(fds, Proc.openFds());
    }

    private static long writeAndRead(MemorySegment s) {
        s.set(JAVA_LONG, 8, 7L);
        return s.get(JAVA_LONG, 8);
    }

    /**
     * A view derived, through a view with no memory of its own, from a view that declared
     * memory keeps using that memory after both ancestors retired and the one between was
     * collected (views hold their parents weakly once published).
     */
    @Test
    void aViewKeepsTheMappingItInheritedWhenItsAncestorsRetireAndAreCollected() {
        try (ViewSpace space = ViewSpace.create("ancestry");
             MemorySpace memory = MemorySpace.create(space, "ancestry", 8L << 20)) {
            long page = memory.pageSize();
            Region r = memory.allocate("r", page);
            java.util.Set<String> unmapped = java.util.concurrent.ConcurrentHashMap.newKeySet();
            memory.addMappingListener(new MappingListener() {
                @Override
                public void unmapping(MappedRange range) {
                    unmapped.add(range.view() == null ? "base" : range.view().name());
                }
            });
            View owner = memory.configure(space.derive(space.baseView(), "owner"), m -> m.overlay(r)).publish();
            memory.segment(owner, r).set(JAVA_LONG, 0, 42L);
            View between = space.derive(owner, "between").publish();   // no memory of its own
            View child = space.derive(between, "child").publish();
            View marker = memory.configure(space.derive(space.baseView(), "marker"), m -> m.overlay(r)).publish();

            java.lang.ref.WeakReference<View> betweenRef = new java.lang.ref.WeakReference<>(between);
            between.retire();
            between = null;
            Proc.await("the view between collected", () -> {
                System.gc();
                return betweenRef.refersTo(null);
            });
            owner.retire();
            owner = null;
            marker.retire();   // retirements are handled in order: once marker's memory went, owner's retirement was handled
            Proc.await("the marker's memory unmapped", () -> unmapped.contains("marker"));

            assertFalse(unmapped.contains("owner"), "the owner's memory is still the child's: " + unmapped);
            assertEquals(42L, memory.segment(child, r).get(JAVA_LONG, 0));
        }
    }
}
