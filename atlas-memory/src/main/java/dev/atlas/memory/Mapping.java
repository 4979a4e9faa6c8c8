package dev.atlas.memory;

import dev.atlas.core.View;
import dev.atlas.memory.linux.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One view's address range for a memory space: a {@code PROT_NONE} reservation of the
 * space's whole capacity, with every allocated region mapped over it at its offset
 * ({@code MAP_FIXED}) from the memory file, piece by piece as the view's layout says.
 */
@SuppressWarnings("restricted")
final class Mapping {
    /*
     * Implementation notes.
     *
     * Lifetime: the reservation is attached to a shared Arena whose cleanup munmaps the
     * whole range (which removes the region mappings inside it too). Every segment handed
     * out is a slice of `whole`, so it shares the arena's scope: once the arena is closed,
     * using one throws IllegalStateException; a shared arena's close waits (handshake) until
     * no thread is in the middle of an access, so no reader ever touches unmapped memory.
     *
     * Mutation: the layout of a region never changes after the mapping is built. New regions
     * are mapped into PROT_NONE address space no segment has ever covered. All changes run
     * under the space's lock; readers see `regions` through a volatile read, and the array
     * is replaced, never written in place.
     */
    private static final int RESERVE_FLAGS = Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS | Linux.MAP_NORESERVE;

    /** One region in this mapping: its layout, raw pages, and the segment handed out. */
    record RegionState(Region region, List<Piece> pieces, MemorySegment raw, MemorySegment handout) {
        boolean shared() {
            return pieces.stream().allMatch(p -> p.divergence() == null);
        }
    }

    private final MemorySpace space;
    private final View owner;               // null for the base mapping
    private final Arena arena;
    private final MemorySegment whole;
    private final List<FreezeMode.Handle> freezes = new ArrayList<>();
    private volatile RegionState[] regions = new RegionState[0];

    private Mapping(MemorySpace space, View owner, Arena arena, MemorySegment whole) {
        this.space = space;
        this.owner = owner;
        this.arena = arena;
        this.whole = whole;
    }

    /**
     * Reserves the address range and maps every region as {@code layout} says (missing
     * entries: shared read-write). All or nothing: on failure everything mapped is unmapped.
     */
    static Mapping map(MemorySpace space, View owner, List<Region> regions, List<List<Piece>> layout) {
        Kernel k = space.kernel();
        MemorySegment reserved = k.mmap(MemorySegment.NULL, space.capacity(), Linux.PROT_NONE, RESERVE_FLAGS, -1, 0);
        Arena arena = Arena.ofShared();
        MemorySegment whole = reserved.reinterpret(space.capacity(), arena, Linux::munmapQuietly);
        Mapping m = new Mapping(space, owner, arena, whole);
        try {
            RegionState[] states = new RegionState[regions.size()];
            for (int i = 0; i < states.length; i++) {
                Region r = regions.get(i);
                states[i] = m.mapRegion(r, i < layout.size() ? layout.get(i) : Piece.whole(r.size()));
            }
            m.regions = states;
            for (RegionState s : states) {
                m.installFreezes(s);
            }
            return m;
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    View owner() {
        return owner;
    }

    boolean isAlive() {
        return whole.scope().isAlive();
    }

    /** The layout of every region, for a derived view to inherit. */
    List<List<Piece>> layout() {
        return Arrays.stream(regions).map(RegionState::pieces).toList();
    }

    RegionState state(Region r) {
        return regions[r.index()];
    }

    /** Maps a newly allocated region shared read-write (under the space's lock). */
    void addRegion(Region r) {
        RegionState s = mapRegion(r, Piece.whole(r.size()));
        RegionState[] old = regions;
        RegionState[] next = Arrays.copyOf(old, old.length + 1);
        next[old.length] = s;
        regions = next;
    }

    /** Undoes {@link #addRegion} when allocating failed in another mapping. */
    void removeRegion(Region r) {
        RegionState[] old = regions;
        if (old.length > r.index()) {
            regions = Arrays.copyOf(old, r.index());
            space.kernel().mmap(whole.asSlice(r.offset(), r.size()), r.size(), Linux.PROT_NONE,
                    RESERVE_FLAGS | Linux.MAP_FIXED, -1, 0);
        }
    }

    private RegionState mapRegion(Region r, List<Piece> pieces) {
        MemorySegment raw = whole.asSlice(r.offset(), r.size());
        for (Piece p : pieces) {
            int flags = Linux.MAP_FIXED | (p.divergence() == null ? Linux.MAP_SHARED : Linux.MAP_PRIVATE | Linux.MAP_NORESERVE);
            space.kernel().mmap(raw.asSlice(p.offset(), p.length()), p.length(), p.protection().bits(), flags,
                    space.fd(), r.offset() + p.offset());
        }
        Protection weakest = Piece.weakest(pieces, 0, r.size());
        MemorySegment handout = switch (weakest) {
            case NONE -> null;
            case READ_ONLY -> raw.asReadOnly();
            case READ_WRITE -> raw;
        };
        return new RegionState(r, List.copyOf(pieces), raw, handout);
    }

    private void installFreezes(RegionState s) {
        for (Piece p : s.pieces()) {
            if (p.divergence() instanceof Divergence.Frozen(FreezeMode mode)) {
                FreezeRequest req = new FreezeRequest(space, owner, s.region(), p.offset(),
                        s.raw().asSlice(p.offset(), p.length()), space.fd(), s.region().offset() + p.offset());
                freezes.add(java.util.Objects.requireNonNull(mode.install(req), "FreezeMode.install returned null"));
            }
        }
    }

    /** The region's segment as this view may use it. */
    MemorySegment segment(View view, Region r) {
        if (!isAlive()) {
            throw space.gone(view);
        }
        MemorySegment s = regions[r.index()].handout();
        if (s == null) {
            throw space.inaccessible(view, r, 0, r.size());
        }
        return s;
    }

    /** A range of the region's segment as this view may use it. */
    MemorySegment segment(View view, Region r, long offset, long length) {
        if (!isAlive()) {
            throw space.gone(view);
        }
        RegionState s = regions[r.index()];
        return switch (Piece.weakest(s.pieces(), offset, length)) {
            case NONE -> throw space.inaccessible(view, r, offset, length);
            case READ_ONLY -> s.raw().asSlice(offset, length).asReadOnly();
            case READ_WRITE -> s.raw().asSlice(offset, length);
        };
    }

    List<MappedRange> ranges() {
        List<MappedRange> out = new ArrayList<>();
        for (RegionState s : regions) {
            out.add(new MappedRange(owner, s.region(), s.raw(), s.shared()));
        }
        return out;
    }

    /** Releases freezes and unmaps everything (idempotent). */
    void close() {
        for (FreezeMode.Handle h : freezes) {
            try {
                h.release();
            } catch (RuntimeException e) {
                System.getLogger("dev.atlas.memory").log(System.Logger.Level.ERROR, "releasing a frozen range failed", e);
            }
        }
        freezes.clear();
        if (isAlive()) {
            arena.close();
        }
    }

    long address() {
        return whole.address();
    }

    @Override
    public String toString() {
        return "Mapping[" + (owner == null ? "base" : owner) + " at 0x" + Long.toHexString(whole.address()) + "]";
    }
}
