package dev.atlas.memory.snapshot;

import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.memory.MemorySpace;
import dev.atlas.memory.Region;
import dev.atlas.memory.linux.Linux;
import dev.atlas.memory.uffd.Userfaultfd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;

/**
 * Run in a child JVM by {@link MemoryUnderLiveSnapshotIT}: closes the memory under a live
 * copy-before-write snapshot in one of the ways the API allows, then goes on using the
 * snapshot (reads, the background copy, release) as a careless caller would. Prints
 * "PASS scenario" and exits 0 when the API kept the memory alive or refused it; a JVM crash
 * (hs_err) or an assertion error fails the parent test.
 */
final class MemoryUnderLiveSnapshot {
    static final long PAGES = 256;
    static final long BYTES = PAGES * 4096;

    private MemoryUnderLiveSnapshot() {}

    public static void main(String[] args) throws Exception {
        if (!Userfaultfd.availability().available()) {
            System.out.println("SKIP " + Userfaultfd.availability().reason());
            return;
        }
        String scenario = args[0];
        switch (scenario) {
            case "shared-arena-closed" -> sharedArenaClosed(false);
            case "shared-arena-closed-background" -> sharedArenaClosed(true);
            case "confined-arena" -> confinedArena();
            case "global-scope-unmapped" -> globalScope();
            case "space-segment-view-retired" -> spaceSegmentGiven(false);
            case "space-segment-space-closed" -> spaceSegmentGiven(true);
            case "space-region-view-retired" -> spaceRegion(false);
            case "space-region-space-closed" -> spaceRegion(true);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        System.out.println("PASS " + scenario);
    }

    static void fill(MemorySegment m, long base) {
        for (long p = 0; p < PAGES; p++) {
            m.set(ValueLayout.JAVA_LONG, p * 4096, base + p);
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static MemorySnapshot take(MemorySnapshot.Builder b, boolean background) {
        return b.method(SnapshotMethod.COPY_BEFORE_WRITE).backgroundCopy(background).take();
    }

    /** Lets the background copy run through the region (it reads every page), bounded. */
    static void awaitBackground(MemorySnapshot s) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (s.handlerStats().map(st -> st.savedPages() < PAGES).orElse(false) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    static void sharedArenaClosed(boolean background) {
        Arena arena = Arena.ofShared();
        MemorySegment m = Linux.mapAnonymous(BYTES, arena);
        fill(m, 1000);
        MemorySnapshot s = take(MemorySnapshot.builder().region("r", m), background);
        fill(m, 5000);                         // after the cut
        boolean closed = false;
        try {
            arena.close();
            closed = true;
        } catch (IllegalStateException kept) {
            // the snapshot keeps the memory alive
        }
        if (background) {
            awaitBackground(s);
        }
        if (!closed) {
            for (long p = 0; p < PAGES; p++) {
                check(s.region("r").getLong(p * 4096) == 1000 + p, "page " + p + " as of the cut");
            }
        }
        s.close();
        check(!closed, "the arena closed under a live snapshot");
        arena.close();                          // released: now it may go
        check(!m.scope().isAlive(), "arena closed after the release");
    }

    static void confinedArena() throws InterruptedException {
        Arena arena = Arena.ofConfined();
        MemorySegment m = Linux.mapAnonymous(BYTES, arena);
        fill(m, 1);
        MemorySnapshot s;
        try {
            s = take(MemorySnapshot.builder().region("r", m), true);
        } catch (IllegalArgumentException refused) {
            check(refused.getMessage().contains("confined"), refused.getMessage());
            arena.close();
            return;
        }
        arena.close();
        awaitBackground(s);
        s.close();
        throw new AssertionError("a confined arena's memory was accepted and then closed under the snapshot");
    }

    static void globalScope() {
        MemorySegment m = Linux.mmap(MemorySegment.NULL, BYTES, Linux.PROT_READ | Linux.PROT_WRITE,
                Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS, -1, 0);
        fill(m, 1);
        MemorySnapshot s;
        try {
            s = take(MemorySnapshot.builder().region("r", m), true);
        } catch (IllegalArgumentException refused) {
            check(refused.getMessage().contains("global scope"), refused.getMessage());
            Linux.munmap(m);
            return;
        }
        Linux.munmap(m);
        awaitBackground(s);
        s.close();
        throw new AssertionError("memory without an owner was accepted and then unmapped under the snapshot");
    }

    /** A view's segment of a memory space given raw: the space unmaps it when the view retires or the space closes. */
    static void spaceSegmentGiven(boolean closeSpace) throws InterruptedException {
        try (ViewSpace space = ViewSpace.create("raw")) {
            MemorySpace memory = MemorySpace.create(space, "raw", 4 * BYTES);
            Region r = memory.allocate("r", BYTES);
            View v = memory.configure(space.derive(space.baseView(), "overlay"), b -> b.overlay(r)).publish();
            MemorySegment seg = memory.segment(v, r);
            fill(seg, 7);
            MemorySnapshot s;
            try {
                s = take(MemorySnapshot.builder().region("r", seg), true);
            } catch (IllegalArgumentException refused) {
                check(refused.getMessage().contains("region(space, region)"), refused.getMessage());
                memory.close();
                return;
            }
            retireOrClose(space, memory, v, closeSpace);
            awaitBackground(s);
            s.close();
            memory.close();
            throw new AssertionError("a memory space's segment was accepted and then unmapped under the snapshot");
        }
    }

    /** The space-aware form: the snapshot follows the space's views; reads fail cleanly once the memory is gone. */
    static void spaceRegion(boolean closeSpace) throws InterruptedException {
        try (ViewSpace space = ViewSpace.create("tracked")) {
            MemorySpace memory = MemorySpace.create(space, "tracked", 4 * BYTES);
            Region r = memory.allocate("r", BYTES);
            View v = memory.configure(space.derive(space.baseView(), "overlay"), b -> b.overlay(r)).publish();
            fill(memory.segment(space.baseView(), r), 3);
            fill(memory.segment(v, r), 9);
            MemorySnapshot s = take(MemorySnapshot.builder().region(memory, r), true);
            retireOrClose(space, memory, v, closeSpace);
            awaitBackground(s);
            for (long p = 0; p < PAGES; p++) {
                try {
                    check(s.region("r").getLong(p * 4096) == 3 + p, "page " + p + " as of the cut");
                } catch (IllegalStateException gone) {
                    check(closeSpace, "read failed although the base mapping is alive: " + gone);
                }
            }
            s.close();
            memory.close();
        }
    }

    static void retireOrClose(ViewSpace space, MemorySpace memory, View v, boolean closeSpace) throws InterruptedException {
        if (closeSpace) {
            memory.close();
            return;
        }
        CountDownLatch retired = new CountDownLatch(1);
        space.addListener(new dev.atlas.core.observe.SpaceListener() {
            @Override
            public void viewRetired(ViewRetired event) {
                if (event.viewId() == v.id()) {
                    retired.countDown();
                }
            }
        });
        v.retire();
        retired.await();   // its cleanup (the unmapping) has run
    }
}
