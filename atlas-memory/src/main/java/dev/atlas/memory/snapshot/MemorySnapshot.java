package dev.atlas.memory.snapshot;

import dev.atlas.core.View;
import dev.atlas.memory.MappedRange;
import dev.atlas.memory.MappingListener;
import dev.atlas.memory.MemorySpace;
import dev.atlas.memory.Region;
import dev.atlas.memory.linux.Linux;
import dev.atlas.memory.uffd.ScopeHold;
import dev.atlas.memory.uffd.Userfaultfd;
import dev.atlas.memory.uffd.UserfaultfdException;
import dev.atlas.memory.uffd.WriteProtectHandler;

import java.io.Serial;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consistent, read-only copy of off-heap regions as of one instant (the cut), taken
 * while writers keep running; no {@code fork()}.
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=memory-snapshot}
 *
 * <p>Copy-before-write ({@link SnapshotMethod#COPY_BEFORE_WRITE}): before the cut every
 * mapping of the regions is write-protected through userfaultfd while the writers run
 * (faults then only mark pages dirty); at the cut (writers stopped, see
 * {@link SnapshotCut}) the pages written meanwhile are protected again and the native
 * handler switches to saving each page just before its first write. Writers pause only
 * for that cut. Optionally ({@link Builder#backgroundCopy(boolean)}) the handler also
 * saves every page in the background, so that writers soon stop faulting at all.
 *
 * <p>Where userfaultfd or the native handler is not available (the reason is logged
 * through {@code System.Logger} "dev.atlas.memory.snapshot"), or when forced with
 * {@link SnapshotMethod#EAGER_COPY} or the system property
 * {@code -Datlas.memory.snapshot.forceEager=true}, the regions are copied while the
 * writers are stopped.
 *
 * <p>Lifetime: a live snapshot keeps the memory it tracks alive. The arena of a segment
 * given to {@link Builder#region(String, MemorySegment...)} cannot be closed while a
 * copy-before-write snapshot of it lives (its {@code close()} throws
 * {@link IllegalStateException}); memory a snapshot cannot hold is refused: segments of a
 * confined arena, of the global scope (no owner: e.g. raw {@code mmap} results, to be
 * attached to an arena first with {@code reinterpret(size, arena, cleanup)}) and of a
 * {@link MemorySpace} (give those as {@link Builder#region(MemorySpace, Region)}, which
 * follows the space's views as they are mapped and unmapped).
 *
 * <p>One live snapshot per mapping: the kernel lets a mapping be registered with one
 * userfaultfd at a time (a second one gets an {@link IllegalStateException}).
 *
 * <p>Thread safety: regions may be read from any thread; {@link #close()} may be called
 * from any thread, once or more, and fails concurrent and later reads with
 * {@link IllegalStateException}.
 */
public final class MemorySnapshot implements AutoCloseable {
    /*
     * Implementation notes.
     *
     * All-or-nothing: take() either returns a snapshot owning its handler (or its eager
     * copies), or has released everything it set up before throwing.
     * Release order: `released` is set first (reads fail fast), then the handler closes its
     * arena (concurrent readers fail instead of touching freed memory) before the native
     * memory is freed; for eager copies our arena closes before the copies are unmapped.
     */
    /** The system property that forces {@link SnapshotMethod#EAGER_COPY} for AUTO snapshots. */
    public static final String FORCE_EAGER_PROPERTY = "atlas.memory.snapshot.forceEager";

    private static final System.Logger LOG = System.getLogger("dev.atlas.memory.snapshot");
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
    private static final AtomicLong IDS = new AtomicLong();
    static final long PAGE = 4096;

    private final long id;
    final Map<String, SnapshotRegion> regions = new LinkedHashMap<>();
    private final WriteProtectHandler handler;     // null for an eager copy
    private final Arena eagerArena;                // null for copy-before-write
    private final List<MemorySegment> eagerCopies;
    private final String fallbackReason;
    final List<Runnable> onRelease = new ArrayList<>();
    ScopeHold hold;                         // the callers' arenas, while copy-before-write tracks them
    SnapshotStats stats;
    private volatile boolean released;

    MemorySnapshot(long id, WriteProtectHandler handler, Arena eagerArena, List<MemorySegment> eagerCopies,
                           String fallbackReason) {
        this.id = id;
        this.handler = handler;
        this.eagerArena = eagerArena;
        this.eagerCopies = eagerCopies;
        this.fallbackReason = fallbackReason;
    }

    /** A builder for a snapshot. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The region named {@code name}.
     *
     * @throws IllegalArgumentException if there is none
     * @throws IllegalStateException    if the snapshot was released
     */
    public SnapshotRegion region(String name) {
        ensureLive();
        SnapshotRegion r = regions.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no region '" + name + "' in snapshot #" + id + "; it has " + regions.keySet());
        }
        return r;
    }

    /** The regions, in the order they were added. */
    public List<SnapshotRegion> regions() {
        return List.copyOf(regions.values());
    }

    /** What taking it cost. */
    public SnapshotStats stats() {
        return stats;
    }

    /** Why an AUTO snapshot copied eagerly, if it did. */
    public Optional<String> fallbackReason() {
        return Optional.ofNullable(fallbackReason);
    }

    /** The native handler's counters so far (copy-before-write, not released), else empty. */
    public Optional<WriteProtectHandler.Stats> handlerStats() {
        if (handler == null || released) {
            return Optional.empty();
        }
        try {
            return Optional.of(handler.stats());
        } catch (IllegalStateException closedMeanwhile) {
            return Optional.empty();
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isReleased() {
        return released;
    }

    void ensureLive() {
        if (released) {
            throw new IllegalStateException("snapshot #" + id + " has been released");
        }
    }

    /**
     * Releases the snapshot: un-protects and unregisters the mappings (writers stop
     * faulting), stops the handler thread, closes its file descriptors, frees the saved
     * pages. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        onRelease.forEach(Runnable::run);
        if (handler != null) {
            try {
                handler.close();
            } finally {
                if (hold != null) {
                    hold.close();   // only now may the callers' memory go
                }
            }
        } else {
            eagerArena.close();
            for (MemorySegment c : eagerCopies) {
                Linux.munmap(c);
            }
        }
    }

    @Override
    public String toString() {
        return "MemorySnapshot#" + id + regions.keySet() + (released ? " (released)" : "")
                + (stats == null ? "" : " " + stats.method());
    }

    private static void logFallback(String reason) {
        Level level = LOGGED.add(reason) ? Level.WARNING : Level.DEBUG;
        LOG.log(level, "memory snapshot: copying eagerly, the writers pause for the whole copy: " + reason);
    }

    /** A thread that is never started: a confined segment is not accessible by it. */
    private static final Thread HOLDER_PROBE = Thread.ofPlatform().unstarted(() -> { });

    /** Builds and takes a snapshot. Confined to the calling thread; single use. */
    public static final class Builder {
        private final Map<String, List<MemorySegment>> specs = new LinkedHashMap<>();
        private final Map<String, Region> spaceRegions = new LinkedHashMap<>();
        private SnapshotCut cut = SnapshotCut.unsynchronized();
        private SnapshotMethod method = SnapshotMethod.AUTO;
        private int chunkPages = 1;
        private boolean background;
        private int preCutRounds = 3;
        private Duration handlerSpin = Duration.ZERO;
        private boolean taken;

        private Builder() {
        }

        /**
         * Adds a region: {@code mappings} are every mapping through which it is written
         * (several views of one memory file, or one mapping), all the same size, page
         * aligned; the first is also read for pages not yet saved.
         *
         * @throws IllegalArgumentException if the name is blank or taken, or a mapping is
         *                                  not a page-aligned, writable native segment of
         *                                  the same size as the others, or overlaps another
         */
        public Builder region(String name, MemorySegment... mappings) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(mappings, "mappings");
            if (name.isBlank()) {
                throw new IllegalArgumentException("region name is blank");
            }
            if (specs.containsKey(name)) {
                throw new IllegalArgumentException("region '" + name + "' is already in this snapshot");
            }
            if (mappings.length == 0) {
                throw new IllegalArgumentException("region '" + name + "': no mapping given");
            }
            long size = -1;
            for (int i = 0; i < mappings.length; i++) {
                MemorySegment m = Objects.requireNonNull(mappings[i], "mapping " + i + " of region '" + name + "'");
                String which = "mapping " + i + " of region '" + name + "' (" + m + ")";
                if (!m.isNative()) {
                    throw new IllegalArgumentException(which + " is a heap segment; snapshots track native, mmap'ed memory");
                }
                if (m.isReadOnly()) {
                    throw new IllegalArgumentException(which + " is read-only; give the writable mapping");
                }
                if (!m.scope().isAlive()) {
                    throw new IllegalArgumentException(which + " belongs to a closed arena");
                }
                if (m.scope().equals(Arena.global().scope())) {
                    throw new IllegalArgumentException(which + " is in the global scope: a snapshot cannot keep memory"
                            + " without an owner alive; attach it to a shared arena first (reinterpret(size, arena, cleanup))");
                }
                if (!m.isAccessibleBy(HOLDER_PROBE)) {
                    throw new IllegalArgumentException(which + " belongs to a confined arena: a snapshot reads and holds"
                            + " it from other threads; use a shared arena");
                }
                if (m.address() % PAGE != 0 || m.byteSize() == 0 || m.byteSize() % PAGE != 0) {
                    throw new IllegalArgumentException(which + " must start on a page boundary and be a positive multiple of "
                            + PAGE + " bytes long, but starts at offset " + m.address() % PAGE + " in its page and is "
                            + m.byteSize() + " bytes");
                }
                if (size >= 0 && m.byteSize() != size) {
                    throw new IllegalArgumentException(which + " is " + m.byteSize() + " bytes, but mapping 0 is " + size);
                }
                size = m.byteSize();
                for (Map.Entry<String, List<MemorySegment>> e : specs.entrySet()) {
                    for (MemorySegment o : e.getValue()) {
                        if (overlap(o, m)) {
                            throw new IllegalArgumentException(which + " overlaps a mapping of region '" + e.getKey() + "'");
                        }
                    }
                }
            }
            String space = SpaceMemory.find(mappings);
            if (space != null) {
                throw new IllegalArgumentException("region '" + name + "': " + space + "; give it as region(space, region),"
                        + " which follows the space's views as they are mapped and unmapped");
            }
            specs.put(name, List.of(mappings));
            return this;
        }

        /**
         * Adds a region of a memory space: every live mapping of it is write-protected, and
         * every mapping made while the snapshot lives is protected as it appears; pages not
         * yet saved are read through a view that maps the region shared.
         *
         * @throws IllegalArgumentException if the region belongs to another memory space, its
         *                                  name is already in this snapshot, or no live view
         *                                  maps it shared and readable
         * @throws IllegalStateException    if the memory space is closed
         */
        public Builder region(MemorySpace space, Region region) {
            Objects.requireNonNull(space, "space");
            Objects.requireNonNull(region, "region");
            if (region.space() != space) {
                throw new IllegalArgumentException(region + " belongs to memory space '" + region.space().name()
                        + "', not to '" + space.name() + "'");
            }
            if (space.isClosed()) {
                throw new IllegalStateException("memory space '" + space.name() + "' is closed");
            }
            MemorySegment readable = null;
            for (MappedRange r : space.mappedRanges(region)) {
                if (!r.shared()) {
                    continue;
                }
                try {
                    View v = r.view() != null ? r.view() : space.viewSpace().baseView();
                    readable = space.segment(v, region);
                    break;
                } catch (IllegalStateException inaccessible) {
                    // try the next shared mapping
                }
            }
            if (readable == null) {
                throw new IllegalArgumentException("no live view maps " + region + " shared and readable: nothing to read it from");
            }
            if (specs.containsKey(region.name())) {
                throw new IllegalArgumentException("region '" + region.name() + "' is already in this snapshot");
            }
            specs.put(region.name(), List.of(readable));
            spaceRegions.put(region.name(), region);
            return this;
        }

        /** The cut (default: {@link SnapshotCut#unsynchronized()}). */
        public Builder cut(SnapshotCut cut) {
            this.cut = Objects.requireNonNull(cut, "cut");
            return this;
        }

        /** The method (default {@link SnapshotMethod#AUTO}). */
        public Builder method(SnapshotMethod method) {
            this.method = Objects.requireNonNull(method, "method");
            return this;
        }

        /**
         * Pages saved and un-protected per write fault (an aligned chunk; default 1).
         * Larger chunks mean fewer faults for writers that touch neighbouring pages.
         *
         * @throws IllegalArgumentException unless 1 to 512
         */
        public Builder chunkPages(int pages) {
            if (pages < 1 || pages > 512) {
                throw new IllegalArgumentException("chunkPages must be 1 to 512, was " + pages);
            }
            this.chunkPages = pages;
            return this;
        }

        /**
         * At most this many passes (default 3) before the cut, writers running, that protect
         * again the pages written since the previous pass, so that few remain to protect
         * while the writers are stopped. Passes stop early once fewer than 256 pages remain.
         *
         * @throws IllegalArgumentException unless 0 to 16
         */
        public Builder preCutRounds(int rounds) {
            if (rounds < 0 || rounds > 16) {
                throw new IllegalArgumentException("preCutRounds must be 0 to 16, was " + rounds);
            }
            this.preCutRounds = rounds;
            return this;
        }

        /**
         * How long the native handler keeps polling without sleeping after a fault (default
         * zero). See {@link WriteProtectHandler#spin(Duration)}.
         */
        public Builder handlerSpin(Duration spin) {
            Objects.requireNonNull(spin, "spin");
            if (spin.isNegative() || spin.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("handlerSpin must be 0 to 1 s, was " + spin);
            }
            this.handlerSpin = spin;
            return this;
        }

        /** Whether the handler also saves every page in the background after the cut (default false). */
        public Builder backgroundCopy(boolean on) {
            this.background = on;
            return this;
        }

        /**
         * Takes the snapshot: arms, cuts, returns; the writers go on meanwhile.
         *
         * @throws IllegalStateException         if no region was added, the builder was
         *                                       used, or a mapping is already tracked by
         *                                       another live snapshot
         * @throws UnsupportedOperationException if COPY_BEFORE_WRITE was required and is
         *                                       not available here (the message says why)
         * @throws SnapshotCutException          if the writers could not be stopped
         */
        public MemorySnapshot take() {
            if (taken) {
                throw new IllegalStateException("this builder has already taken its snapshot");
            }
            if (specs.isEmpty()) {
                throw new IllegalStateException("no region: add one with region(name, mappings) first");
            }
            taken = true;
            long id = IDS.incrementAndGet();
            String reason = null;
            if (method == SnapshotMethod.EAGER_COPY) {
                reason = null;
            } else if (method == SnapshotMethod.AUTO && Boolean.getBoolean(FORCE_EAGER_PROPERTY)) {
                reason = "forced by -D" + FORCE_EAGER_PROPERTY + "=true";
            } else {
                Userfaultfd.Availability a = Userfaultfd.availability();
                if (a.available()) {
                    try {
                        return new CopyBeforeWriteStrategy().take(plan(), id, null);
                    } catch (FallBack f) {
                        reason = f.getMessage();
                    }
                } else {
                    reason = a.reason();
                }
                if (method == SnapshotMethod.COPY_BEFORE_WRITE) {
                    throw new UnsupportedOperationException("copy-before-write snapshots are not available: " + reason);
                }
            }
            if (reason != null) {
                logFallback(reason);
            }
            return new EagerCopyStrategy().take(plan(), id, reason);
        }

        private SnapshotPlan plan() {
            return new SnapshotPlan(specs, spaceRegions, cut, chunkPages, background, preCutRounds, handlerSpin);
        }

        private static boolean overlap(MemorySegment a, MemorySegment b) {
            return a.address() < b.address() + b.byteSize() && b.address() < a.address() + a.byteSize();
        }
    }

    /** userfaultfd refused this snapshot for a reason an eager copy does not have. */
    static final class FallBack extends Exception {
        @Serial
        private static final long serialVersionUID = 1L;

        FallBack(String message) {
            super(message, null, false, false);
        }
    }
}
