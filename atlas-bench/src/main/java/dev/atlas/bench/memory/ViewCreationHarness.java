package dev.atlas.bench.memory;

import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.ViewState;
import dev.atlas.memory.MemorySpace;
import dev.atlas.memory.Protection;
import dev.atlas.memory.Region;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Creating a memory view costs a number of system calls that follows the number of
 * regions, not their bytes: a view of a 64 GiB space against a view of a 64 MiB space with
 * the same number of regions, both set against copying 1 GiB with {@code MemorySegment.copy}
 * between populated segments, all in the same run (rounds interleaved, medians).
 *
 * <p>One "view creation" = {@code derive} + {@code configure} (reserve the capacity, map
 * every region at its offset, apply the declarations) + {@code publish}. Two layouts: every
 * region shared, and a "diverged" layout where half the regions are overlays and the others
 * read-only. Views are retired (unmapped on the housekeeper) between rounds, off the clock.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp atlas-bench.jar
 * dev.atlas.bench.memory.ViewCreationHarness [rounds=15] [viewsPerRound=20] [regions=16]}
 */
public final class ViewCreationHarness {
    private ViewCreationHarness() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int regionCount = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        long small = 64L << 20;
        long large = 64L << 30;
        System.out.printf(Locale.ROOT, "ViewCreationHarness rounds=%d viewsPerRound=%d regions=%d%n", rounds, perRound, regionCount);

        try (ViewSpace space = ViewSpace.create("creation");
             MemorySpace smallMem = MemorySpace.create(space, "small", small);
             MemorySpace largeMem = MemorySpace.create(space, "large", large);
             Arena arena = Arena.ofShared()) {
            List<Region> smallRegions = allocate(smallMem, regionCount);
            List<Region> largeRegions = allocate(largeMem, regionCount);
            MemorySegment from = arena.allocate(1L << 30, 4096);
            MemorySegment to = arena.allocate(1L << 30, 4096);
            from.fill((byte) 1);
            to.fill((byte) 2);

            List<Double> sShared = new ArrayList<>(), lShared = new ArrayList<>();
            List<Double> sDiv = new ArrayList<>(), lDiv = new ArrayList<>();
            List<Double> copy = new ArrayList<>();
            for (int round = -3; round < rounds; round++) {          // 3 warm-up rounds
                boolean keep = round >= 0;
                double a = createViews(space, smallMem, smallRegions, perRound, false);
                double b = createViews(space, largeMem, largeRegions, perRound, false);
                double c = createViews(space, smallMem, smallRegions, perRound, true);
                double d = createViews(space, largeMem, largeRegions, perRound, true);
                long t0 = System.nanoTime();
                MemorySegment.copy(from, 0, to, 0, from.byteSize());
                double e = System.nanoTime() - t0;
                if (keep) {
                    sShared.add(a);
                    lShared.add(b);
                    sDiv.add(c);
                    lDiv.add(d);
                    copy.add(e);
                }
            }
            double ms = median(sShared), ml = median(lShared), ds = median(sDiv), dl = median(lDiv), mc = median(copy);
            System.out.printf(Locale.ROOT, "view of 64 MiB space, %d shared regions:        median %10.1f us%n", regionCount, ms / 1e3);
            System.out.printf(Locale.ROOT, "view of 64 GiB space, %d shared regions:        median %10.1f us%n", regionCount, ml / 1e3);
            System.out.printf(Locale.ROOT, "view of 64 MiB space, %d overlay/read-only:     median %10.1f us%n", regionCount, ds / 1e3);
            System.out.printf(Locale.ROOT, "view of 64 GiB space, %d overlay/read-only:     median %10.1f us%n", regionCount, dl / 1e3);
            System.out.printf(Locale.ROOT, "MemorySegment.copy of 1 GiB (populated):       median %10.1f us%n", mc / 1e3);
            System.out.printf(Locale.ROOT, "ratio 64 GiB / 64 MiB: shared %.2f, diverged %.2f%n", ml / ms, dl / ds);
            System.out.printf(Locale.ROOT, "ratio copy 1 GiB / view of 64 GiB: shared %.0f, diverged %.0f%n", mc / ml, mc / dl);
        }
    }

    private static List<Region> allocate(MemorySpace m, int n) {
        long each = m.capacity() / n / m.pageSize() * m.pageSize();
        List<Region> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Region r = m.allocate("r" + i, each);
            m.segment(m.viewSpace().baseView(), r).set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, i);   // touch one page
            out.add(r);
        }
        return out;
    }

    /** Creates {@code n} views, returns the median nanoseconds per view; retires them off the clock. */
    private static double createViews(ViewSpace space, MemorySpace m, List<Region> regions, int n, boolean diverged)
            throws InterruptedException {
        double[] t = new double[n];
        List<View> views = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            View v = m.configure(space.derive(space.baseView()), b -> {
                if (diverged) {
                    for (int k = 0; k < regions.size(); k++) {
                        if (k % 2 == 0) {
                            b.overlay(regions.get(k));
                        } else {
                            b.protect(regions.get(k), Protection.READ_ONLY);
                        }
                    }
                }
            }).publish();
            t[i] = System.nanoTime() - t0;
            views.add(v);
        }
        for (View v : views) {
            v.retire();
        }
        for (View v : views) {
            while (v.state() != ViewState.RETIRED) {
                Thread.sleep(1);
            }
        }
        while (m.mappedRanges(regions.getFirst()).size() > 1) {   // unmapped on the housekeeper
            Thread.sleep(1);
        }
        Arrays.sort(t);
        return t[n / 2];
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a[a.length / 2];
    }
}
