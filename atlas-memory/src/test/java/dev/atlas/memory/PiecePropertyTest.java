package dev.atlas.memory;


import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layout algebra alone (no mapping): painting ranges keeps a normal form that matches a per-page model. */
class PiecePropertyTest {

    record Paint(int first, int count, int kind) {}

    static List<Paint> paints(SplittableRandom random) {
        List<Paint> out = new ArrayList<>();
        for (int i = random.nextInt(0, 21); i > 0; i--) {
            out.add(new Paint(random.nextInt(0, 64), random.nextInt(1, 65), random.nextInt(0, 5)));
        }
        return out;
    }

    @Test
    void paintingKeepsANormalFormThatMatchesAPerPageModel() {
        SeededCases.run(500, random -> check(random.nextInt(1, 65), paints(random)));
    }

    private static void check(int pages, List<Paint> paints) {
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
