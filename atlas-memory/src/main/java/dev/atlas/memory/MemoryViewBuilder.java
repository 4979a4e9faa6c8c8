package dev.atlas.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Declares how one view's memory departs from its parent's: divergences ({@link #overlay},
 * {@link #diverge}) and protections ({@link #protect}) of regions or page-aligned ranges of
 * them. Handed to the function given to {@link MemorySpace#configure}; the view starts with
 * its parent's declarations (a divergence is inherited as a declaration: the view gets its
 * own fresh overlay or frozen copy of the same range, not its parent's private pages), and
 * later declarations override earlier ones page by page.
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=memory-view-builder}
 *
 * <p>Threading contract: confined to the preparing thread, valid only during the call to
 * {@code configure}. Every method checks its arguments first and changes nothing when it
 * throws.
 */
public final class MemoryViewBuilder {
    private final MemorySpace space;
    private final List<List<Piece>> layout;
    private boolean closed;

    MemoryViewBuilder(MemorySpace space, List<List<Piece>> inherited) {
        this.space = space;
        this.layout = new ArrayList<>(inherited);
    }

    /** Shares the whole region again (undoing an inherited divergence); protection unchanged. */
    public MemoryViewBuilder share(Region region) {
        return share(region, 0, checkRegion(region).size());
    }

    /** Shares [offset, offset+length) of the region again; protection unchanged. */
    public MemoryViewBuilder share(Region region, long offset, long length) {
        return paint(region, offset, length, "share", p -> new Piece(p.offset(), p.length(), p.protection(), null));
    }

    /** Diverges the whole region as a copy-on-write {@link Divergence#OVERLAY overlay}. */
    public MemoryViewBuilder overlay(Region region) {
        return overlay(region, 0, checkRegion(region).size());
    }

    /** Diverges [offset, offset+length) of the region as a copy-on-write overlay. */
    public MemoryViewBuilder overlay(Region region, long offset, long length) {
        return diverge(region, offset, length, Divergence.OVERLAY);
    }

    /** Diverges the whole region as {@code divergence} says. */
    public MemoryViewBuilder diverge(Region region, Divergence divergence) {
        return diverge(region, 0, checkRegion(region).size(), divergence);
    }

    /** Diverges [offset, offset+length) of the region as {@code divergence} says. */
    public MemoryViewBuilder diverge(Region region, long offset, long length, Divergence divergence) {
        Objects.requireNonNull(divergence, "divergence");
        return paint(region, offset, length, "diverge",
                p -> new Piece(p.offset(), p.length(), p.protection(), divergence));
    }

    /** Gives the whole region {@code protection} in this view. */
    public MemoryViewBuilder protect(Region region, Protection protection) {
        return protect(region, 0, checkRegion(region).size(), protection);
    }

    /** Gives [offset, offset+length) of the region {@code protection} in this view. */
    public MemoryViewBuilder protect(Region region, long offset, long length, Protection protection) {
        Objects.requireNonNull(protection, "protection");
        return paint(region, offset, length, "protect",
                p -> new Piece(p.offset(), p.length(), protection, p.divergence()));
    }

    private MemoryViewBuilder paint(Region region, long offset, long length, String what,
                                    java.util.function.UnaryOperator<Piece> change) {
        if (closed) {
            throw new IllegalStateException("this MemoryViewBuilder is only valid inside MemorySpace.configure");
        }
        space.checkRange(checkRegion(region), offset, length, what);
        layout.set(region.index(), Piece.paint(layout.get(region.index()), offset, length, change));
        return this;
    }

    private Region checkRegion(Region region) {
        return space.checkOwn(region);
    }

    List<List<Piece>> finish() {
        closed = true;
        return List.copyOf(layout);
    }
}
