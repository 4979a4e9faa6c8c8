package dev.atlas.memory;

import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random region layouts and random declarations: every page of every view behaves as a
 * simple per-page model says (Java segments, /proc/self/maps, and what other views see).
 */
class LayoutPropertyTest {

    /** One declaration: region index, first page, page count (clamped), and what to do. */
    record Decl(int region, int firstPage, int pages, int kind) {}

    static List<Decl> declarations(SplittableRandom random) {
        List<Decl> out = new ArrayList<>();
        for (int i = random.nextInt(0, 7); i > 0; i--) {
            out.add(new Decl(random.nextInt(0, 6), random.nextInt(0, 8), random.nextInt(1, 9), random.nextInt(0, 5)));
        }
        return out;
    }

    static List<Integer> regionPages(SplittableRandom random) {
        List<Integer> out = new ArrayList<>();
        for (int i = random.nextInt(1, 7); i > 0; i--) {
            out.add(random.nextInt(1, 9));
        }
        return out;
    }

    @Test
    void everyPageBehavesAsDeclared() {
        SeededCases.run(25, random -> check(regionPages(random), declarations(random)));
    }

    private static void check(List<Integer> regionPages, List<Decl> decls) {
        try (ViewSpace space = ViewSpace.create("prop");
             MemorySpace memory = MemorySpace.create(space, "prop", 64L * 4096 * 2)) {
            long page = memory.pageSize();
            List<Region> regions = new ArrayList<>();
            long expectedOffset = 0;
            for (int i = 0; i < regionPages.size(); i++) {
                Region r = memory.allocate("r" + i, regionPages.get(i) * page);
                assertEquals(expectedOffset, r.offset(), "regions are packed in order, page-aligned, non-overlapping");
                expectedOffset += r.size();
                regions.add(r);
            }
            // model: per region, per page: protection and diverged?
            Protection[][] prot = new Protection[regions.size()][];
            boolean[][] priv = new boolean[regions.size()][];
            for (int i = 0; i < regions.size(); i++) {
                prot[i] = new Protection[regionPages.get(i)];
                java.util.Arrays.fill(prot[i], Protection.READ_WRITE);
                priv[i] = new boolean[regionPages.get(i)];
            }
            View v = memory.configure(space.derive(space.baseView(), "v"), m -> {
                for (Decl d : decls) {
                    int ri = d.region() % regions.size();
                    int n = regionPages.get(ri);
                    int first = d.firstPage() % n;
                    int count = Math.min(d.pages(), n - first);
                    Region r = regions.get(ri);
                    switch (d.kind()) {
                        case 0 -> m.overlay(r, first * page, count * page);
                        case 1 -> m.share(r, first * page, count * page);
                        case 2 -> m.protect(r, first * page, count * page, Protection.READ_ONLY);
                        case 3 -> m.protect(r, first * page, count * page, Protection.NONE);
                        default -> m.protect(r, first * page, count * page, Protection.READ_WRITE);
                    }
                    for (int p = first; p < first + count; p++) {
                        switch (d.kind()) {
                            case 0 -> priv[ri][p] = true;
                            case 1 -> priv[ri][p] = false;
                            case 2 -> prot[ri][p] = Protection.READ_ONLY;
                            case 3 -> prot[ri][p] = Protection.NONE;
                            default -> prot[ri][p] = Protection.READ_WRITE;
                        }
                    }
                }
            }).publish();

            List<Proc.MapLine> maps = Proc.maps();
            for (int i = 0; i < regions.size(); i++) {
                Region r = regions.get(i);
                MemorySegment shared = memory.segment(space.baseView(), r);
                long viewBase = memory.mappedRanges(r).stream().filter(mr -> mr.view() == v).findFirst().orElseThrow()
                        .segment().address();
                for (int p = 0; p < prot[i].length; p++) {
                    long off = p * page;
                    assertEquals(prot[i][p], memory.protection(v, r, off));
                    String perms = permsAt(maps, viewBase + off);
                    String expected = switch (prot[i][p]) {
                        case NONE -> "---";
                        case READ_ONLY -> "r--";
                        case READ_WRITE -> "rw-";
                    } + (priv[i][p] ? "p" : "s");
                    assertEquals(expected, perms, "page " + p + " of " + r);
                    if (prot[i][p] == Protection.NONE) {
                        assertThrows(IllegalStateException.class, () -> memory.segment(v, r, off, page));
                        continue;
                    }
                    MemorySegment s = memory.segment(v, r, off, page);
                    assertEquals(prot[i][p] == Protection.READ_ONLY, s.isReadOnly());
                    shared.set(JAVA_LONG, off, 1000 + p);
                    assertEquals(1000 + p, s.get(JAVA_LONG, 0), "an unwritten page shows the shared store");
                    if (prot[i][p] == Protection.READ_WRITE) {
                        s.set(JAVA_LONG, 8, 7L);
                        assertEquals(priv[i][p] ? 0L : 7L, shared.get(JAVA_LONG, off + 8));
                    } else {
                        assertThrows(IllegalArgumentException.class, () -> s.set(JAVA_LONG, 8, 7L));
                    }
                }
            }
            assertTrue(Proc.mapsOf("prop").size() > 0);
        }
    }

    private static String permsAt(List<Proc.MapLine> maps, long address) {
        return maps.stream().filter(l -> l.start() <= address && address < l.end()).findFirst()
                .map(Proc.MapLine::perms).orElse("unmapped");
    }
}
