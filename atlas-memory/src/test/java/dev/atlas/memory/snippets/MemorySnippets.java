package dev.atlas.memory.snippets;

import dev.atlas.core.View;
import dev.atlas.core.ViewScope;
import dev.atlas.core.ViewSpace;
import dev.atlas.memory.Divergence;
import dev.atlas.memory.FreezeMode;
import dev.atlas.memory.MemorySpace;
import dev.atlas.memory.Protection;
import dev.atlas.memory.Region;
import dev.atlas.memory.Speculation;
import dev.atlas.memory.linux.Linux;
import dev.atlas.memory.linux.Pagemap;
import dev.atlas.memory.snapshot.CopyBeforeWriteDivergence;
import dev.atlas.memory.snapshot.MemorySnapshot;
import dev.atlas.memory.snapshot.SnapshotCut;
import dev.atlas.memory.snapshot.SnapshotRegion;
import dev.atlas.memory.uffd.ForkBaseline;
import dev.atlas.memory.uffd.ScopeHold;
import dev.atlas.memory.uffd.Userfaultfd;
import dev.atlas.memory.uffd.WriteProtectHandler;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/**
 * The code of the {@code {@snippet}} examples in atlas-memory's javadoc, by region: compiled
 * with the tests, so an example that no longer compiles fails the build. The javadoc shows
 * only the region ({@code {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=...}},
 * resolved through {@code --snippet-path src/test/java}).
 */
@SuppressWarnings("unused")
final class MemorySnippets {
    interface Store {
        void update(long key, long value);
    }

    volatile boolean running = true;
    ViewSpace space;
    MemorySpace memory;
    Region orders;
    Region prices;
    Region scratch;
    Region config;
    Region secrets;

    void memorySpace() {
        // @start region=memory-space
        try (ViewSpace space = ViewSpace.create("app");
             MemorySpace memory = MemorySpace.create(space, "store", 64L << 30)) {   // 64 GiB, sparse
            Region orders = memory.allocate("orders", 1L << 30);
            MemorySegment o = memory.segment(orders);          // in the calling thread's current view
            o.set(ValueLayout.JAVA_LONG, 0, 42);

            // a view where orders is read-only (for Java and for native code)
            View audit = memory.configure(space.derive(space.baseView(), "audit"),
                    m -> m.protect(orders, Protection.READ_ONLY)).publish();
            memory.segment(audit, orders).get(ValueLayout.JAVA_LONG, 0);   // 42: the same pages

            // speculation: run in a copy-on-write view, then keep or drop its writes
            Speculation s = memory.speculate(space.baseView(), orders);
            memory.segment(s.view(), orders).set(ValueLayout.JAVA_LONG, 0, 43);
            Speculation.Result r = s.commit();                 // r.pages() == 1
        }
        // @end
    }

    void configure(View parent) {
        // @start region=configure
        View v = memory.configure(space.derive(parent, "v"),
                m -> m.overlay(scratch).protect(config, Protection.READ_ONLY))
            .publish();
        // @end
    }

    void memoryViewBuilder(View base) {
        // @start region=memory-view-builder
        View reader = memory.configure(space.derive(base, "reader"), m -> m
                .protect(orders, Protection.READ_ONLY)
                .protect(secrets, Protection.NONE)
                .overlay(scratch, 0, 16 * memory.pageSize()))
                .publish();
        // @end
    }

    void divergence(View parent, FreezeMode uffd) {
        // @start region=divergence
        View v = memory.configure(space.derive(parent, "scratch"),
                m -> m.overlay(orders)                              // private copy-on-write
                      .diverge(prices, Divergence.frozen(uffd)))    // frozen as of now
                .publish();
        // @end
    }

    void speculation(boolean ok) {
        // @start region=speculation
        Speculation s = memory.speculate(space.baseView(), orders);
        MemorySegment o = memory.segment(s.view(), orders);
        o.set(ValueLayout.JAVA_LONG, 0, 43);                 // only this view sees it
        Speculation.Result r = ok ? s.commit() : s.discard();
        // @end
    }

    void frozenView() {
        // @start region=frozen-view
        FreezeMode frozen = CopyBeforeWriteDivergence.create();
        View audit = memory.configure(space.derive(space.defaultView(), "audit"),
                m -> m.diverge(prices, Divergence.frozen(frozen))).publish();
        // threads in `audit` read `prices` as of now; writers elsewhere go on
        // @end
    }

    void memorySnapshot(Collection<Thread> writers, MemorySegment storeMapping, MemorySegment logViewA,
                        MemorySegment logViewB, FileChannel checkpointFile) throws IOException {
        // @start region=memory-snapshot
        SnapshotCut cut = SnapshotCut.quiescent(space, writers, Duration.ofSeconds(5));
        try (MemorySnapshot s = MemorySnapshot.builder()
                .region("store", storeMapping)              // every mapping that writes to it
                .region("log", logViewA, logViewB)
                .cut(cut)
                .take()) {
            s.region("store").writeTo(checkpointFile);
            System.out.println("writers paused " + s.stats().cut().pause());
        }   // close() releases everything: protection, handler thread, fds, buffers
        // @end
    }

    void snapshotRegion(MemorySnapshot snapshot, FileChannel fileChannel) throws IOException {
        // @start region=snapshot-region
        SnapshotRegion r = snapshot.region("store");
        long first = r.getLong(0);
        r.writeTo(fileChannel);                 // the whole region, as of the cut
        // @end
    }

    void snapshotCut(Store store, long key, long value, Collection<Thread> writers, MemorySegment storeMemory,
                     WritableByteChannel channel) throws IOException {
        // @start region=snapshot-cut
        // each writer
        while (running) {
            try (ViewScope op = SnapshotCut.enter(space)) {   // waits while a cut is in progress
                store.update(key, value);                     // wholly in or wholly out of a snapshot
            }
            space.quiescent();
        }

        // the operator
        SnapshotCut cut = SnapshotCut.quiescent(space, writers, Duration.ofSeconds(5));
        try (MemorySnapshot s = MemorySnapshot.builder().region("store", storeMemory).cut(cut).take()) {
            s.region("store").writeTo(channel);
        }
        // @end
    }

    void pagemap(MemorySegment overlaySegment) {
        // @start region=pagemap
        BitSet written = Pagemap.privatePages(overlaySegment);   // pages copied on write
        // @end
    }

    void linux() {
        // @start region=linux
        int fd = Linux.memfdCreate("store", Linux.MFD_CLOEXEC);
        Linux.ftruncate(fd, 1L << 30);                                   // 1 GiB, sparse
        MemorySegment m = Linux.mmap(MemorySegment.NULL, 1L << 30,
                Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0);
        // ... wrap m with m.reinterpret(len, arena, Linux::munmapQuietly) before handing it out
        // @end
    }

    void userfaultfd() {
        // @start region=userfaultfd
        Userfaultfd.Availability a = Userfaultfd.availability();
        if (!a.available()) {
            System.out.println("no copy-before-write here: " + a.reason());
        }
        // @end
    }

    void scopeHold(MemorySegment segment) {
        // @start region=scope-hold
        try (ScopeHold hold = ScopeHold.acquire("snapshot 7", List.of(segment))) {
            // arena.close() throws IllegalStateException here; the memory stays mapped
        }
        // arena.close() works again
        // @end
    }

    void forkBaseline() {
        // @start region=fork-baseline
        ForkBaseline.Child c = ForkBaseline.fork(Duration.ofSeconds(2));
        System.out.println("fork() took " + c.forkTime());   // the parent's page-table copy
        c.reap();
        // @end
    }

    void writeProtectHandler(long pages, MemorySegment viewA, MemorySegment viewB) {
        // @start region=write-protect-handler
        try (WriteProtectHandler h = WriteProtectHandler.open(1, 2, 1)) {
            WriteProtectHandler.RegionBuffers b = h.declareRegion(0, pages, null);
            h.register(0, viewA);          // every mapping that writes to the region
            h.register(0, viewB);
            h.start();                     // handler thread, TRACK mode
            h.protectAll();                // phase 1: writers keep running
            // ... stop the writers ...
            h.cut();                       // phase 2: COPY mode, re-protect pages dirtied meanwhile
            // ... let the writers go; page p of the cut is in b.copy() if b.isSaved(p), else live
        }
        // @end
    }
}
