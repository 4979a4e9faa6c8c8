package dev.atlas.memory.snapshot;

import dev.atlas.memory.uffd.WriteProtectHandler;

/**
 * The one arming sequence of a write-protect handler, shared by copy-before-write snapshots
 * and {@link CopyBeforeWriteDivergence}: start the handler thread, write-protect every
 * registered page, re-protect the pages written meanwhile until fewer than
 * {@value #CONVERGED} remain (at most {@code preCutRounds} passes, writers running), then cut
 * (the last re-protection, writers stopped by {@code cut}).
 */
final class Arming {
    /** Pages left to re-protect below which the passes before the cut stop. */
    static final int CONVERGED = 256;

    /** How arming went: when the handler was armed, the cut's timing, the pages re-protected at the cut. */
    record Armed(long armedNanos, CutTiming cut, long reprotectedAtCut) {}

    private Arming() {}

    /**
     * Arms {@code h} (its regions registered, its spin and background mode set) and cuts.
     *
     * @throws SnapshotCutException if the writers could not be stopped
     */
    static Armed armAndCut(WriteProtectHandler h, int preCutRounds, SnapshotCut cut) {
        h.start();
        h.protectAll();
        for (int i = 0; i < preCutRounds && h.rearm() >= CONVERGED; i++) {
            // converge before the cut
        }
        long armed = System.nanoTime();
        long[] reprotected = new long[1];
        CutTiming timing = cut.cut(() -> reprotected[0] = h.cut());
        return new Armed(armed, timing, reprotected[0]);
    }
}
