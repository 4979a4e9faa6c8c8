package dev.atlas.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A page-aligned stretch of a region with one protection and one divergence ({@code null}
 * = shared), relative to the region's start. A region's layout in a view is a list of
 * pieces, sorted, contiguous, covering the region, with no two neighbours alike.
 */
record Piece(long offset, long length, Protection protection, Divergence divergence) {

    long end() {
        return offset + length;
    }

    boolean sameAttributes(Piece o) {
        return protection == o.protection && Objects.equals(divergence, o.divergence);
    }

    Piece at(long newOffset, long newLength) {
        return new Piece(newOffset, newLength, protection, divergence);
    }

    /** The default layout: one shared read-write piece. */
    static List<Piece> whole(long size) {
        return List.of(new Piece(0, size, Protection.READ_WRITE, null));
    }

    /** {@code layout} with {@code change} applied to [offset, offset+length); normalised. */
    static List<Piece> paint(List<Piece> layout, long offset, long length, UnaryOperator<Piece> change) {
        long end = offset + length;
        List<Piece> out = new ArrayList<>(layout.size() + 2);
        for (Piece p : layout) {
            if (p.end() <= offset || p.offset >= end) {
                out.add(p);
                continue;
            }
            if (p.offset < offset) {
                out.add(p.at(p.offset, offset - p.offset));
            }
            long s = Math.max(p.offset, offset);
            long e = Math.min(p.end(), end);
            out.add(change.apply(p.at(s, e - s)));
            if (p.end() > end) {
                out.add(p.at(end, p.end() - end));
            }
        }
        return coalesce(out);
    }

    private static List<Piece> coalesce(List<Piece> in) {
        List<Piece> out = new ArrayList<>(in.size());
        for (Piece p : in) {
            if (!out.isEmpty() && out.getLast().sameAttributes(p)) {
                Piece last = out.removeLast();
                out.add(last.at(last.offset, last.length + p.length));
            } else {
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    /** The weakest protection over [offset, offset+length). */
    static Protection weakest(List<Piece> layout, long offset, long length) {
        Protection w = Protection.READ_WRITE;
        for (Piece p : layout) {
            if (p.end() > offset && p.offset < offset + length) {
                w = Protection.weakest(w, p.protection);
            }
        }
        return w;
    }
}
