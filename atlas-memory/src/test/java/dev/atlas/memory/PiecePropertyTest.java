package dev.atlas.memory;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layout algebra alone (no mapping): painting ranges keeps a normal form that matches a per-page model. */
class PiecePropertyTest {

    record Paint(int first, int count, int kind) {}

    @Provide
    Arbitrary<List<Paint>> paints() {
        return Combinators.combine(Arbitraries.integers().between(0, 63), Arbitraries.integers().between(1, 64),
                Arbitraries.integers().between(0, 4)).as(Paint::new).list().ofMaxSize(20);
    }

    @Property(tries = 500)
    void paintingKeepsANormalFormThatMatchesAPerPageModel(@ForAll @IntRange(min = 1, max = 64) int pages,
                                                          @ForAll("paints") List<Paint> paints) {
        List<Piece> layout = Piece.whole(pages);
        Protection[] prot = new Protection[pages];
        Divergence[] div = new Divergence[pages];
        Arrays.fill(prot, Protection.READ_WRITE);
        for (Paint p : paints) {
            int first = p.first() % pages;
            int count = Math.min(p.count(), pages - first);
            layout = Piece.paint(layout, first, count, piece -> switch (p.kind()) {
                case 0 -> new Piece(piece.offset(), piece.length(), piece.protection(), Divergence.OVERLAY);
                case 1 -> new Piece(piece.offset(), piece.length(), piece.protection(), null);
                case 2 -> new Piece(piece.offset(), piece.length(), Protection.READ_ONLY, piece.divergence());
                case 3 -> new Piece(piece.offset(), piece.length(), Protection.NONE, piece.divergence());
                default -> new Piece(piece.offset(), piece.length(), Protection.READ_WRITE, piece.divergence());
            });
            for (int i = first; i < first + count; i++) {
                switch (p.kind()) {
                    case 0 -> div[i] = Divergence.OVERLAY;
                    case 1 -> div[i] = null;
                    case 2 -> prot[i] = Protection.READ_ONLY;
                    case 3 -> prot[i] = Protection.NONE;
                    default -> prot[i] = Protection.READ_WRITE;
                }
            }
        }
        long next = 0;
        Piece previous = null;
        for (Piece piece : layout) {
            assertEquals(next, piece.offset(), "contiguous");
            assertTrue(piece.length() > 0, "non-empty");
            if (previous != null) {
                assertFalse(previous.sameAttributes(piece), "neighbours differ (coalesced)");
            }
            for (long i = piece.offset(); i < piece.end(); i++) {
                assertEquals(prot[(int) i], piece.protection(), "page " + i);
                assertTrue(Objects.equals(div[(int) i], piece.divergence()), "page " + i);
            }
            next = piece.end();
            previous = piece;
        }
        assertEquals(pages, next, "covers the region");
        Protection weakest = Arrays.stream(prot).min(Enum::compareTo).orElseThrow();
        assertEquals(weakest, Piece.weakest(layout, 0, pages));
    }
}
