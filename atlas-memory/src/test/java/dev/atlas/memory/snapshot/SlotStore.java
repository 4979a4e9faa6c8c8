package dev.atlas.memory.snapshot;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A fixed-slot off-heap store for the tests: each writer owns a range of 16-byte records
 * (sequence, value) spread over many pages, and a header page holding the sequence of its
 * last finished operation. An operation writes one record and then the header: two pages.
 * Everything is deterministic per writer, so a copy can be checked by replaying each
 * writer's operations up to the header's sequence: the copy must match exactly (every
 * operation wholly in or wholly out, and the set in = a prefix of each writer's operations).
 */
final class SlotStore {
    static final long PAGE = 4096;
    static final int RECORD = 16;

    final int writers;
    final int recordsPerWriter;
    final long bytes;
    final MemorySegment memory;

    SlotStore(int writers, int recordsPerWriter) {
        this.writers = writers;
        this.recordsPerWriter = recordsPerWriter;
        long data = (long) writers * recordsPerWriter * RECORD;
        this.bytes = (writers + (data + PAGE - 1) / PAGE) * PAGE;
        this.memory = Anon.map(bytes);
    }

    volatile boolean leak;

    void unmap() {
        if (leak) {
            return;
        }
        Anon.unmap(memory);
    }

    static long header(int w) {
        return w * PAGE;
    }

    long record(int w, int r) {
        return writers * PAGE + ((long) r * writers + w) * RECORD;   // interleaved: writers share pages
    }

    static int pick(int w, long seq, int n) {
        long x = seq * 0x9E3779B97F4A7C15L + w * 0xC2B2AE3D27D4EB4FL;
        x ^= x >>> 29;
        return (int) Long.remainderUnsigned(x, n);
    }

    static long value(int w, long seq) {
        return seq * 31 + w * 1_000_003L + 7;
    }

    /** Operation {@code seq} (1, 2, ...) of writer {@code w}. */
    void apply(int w, long seq) {
        long at = record(w, pick(w, seq, recordsPerWriter));
        memory.set(ValueLayout.JAVA_LONG, at, seq);
        memory.set(ValueLayout.JAVA_LONG, at + 8, value(w, seq));
        memory.set(ValueLayout.JAVA_LONG, header(w), seq);
    }

    /**
     * Checks a copy of the store: returns each writer's sequence in it. For each writer,
     * with K the sequence in its header: every record holds (seq, value(seq)) with
     * seq <= K (no later operation is in); and scanning operations K, K-1, ... down (at
     * most {@code scanLimit} of them), the first operation met for each record is the one
     * the record holds (no earlier operation is missing). With an unbounded limit the scan
     * ends at operation 1 and records never written must be empty: an exact replay.
     *
     * @throws AssertionError naming the first difference
     */
    long[] verify(MemorySegment copy, long scanLimit) {
        long[] seqs = new long[writers];
        for (int w = 0; w < writers; w++) {
            long last = copy.get(ValueLayout.JAVA_LONG, header(w));
            seqs[w] = last;
            boolean[] seen = new boolean[recordsPerWriter];
            int unseen = recordsPerWriter;
            for (long s = last; s >= 1 && s > last - scanLimit && unseen > 0; s--) {
                int r = pick(w, s, recordsPerWriter);
                if (!seen[r]) {
                    seen[r] = true;
                    unseen--;
                    check(copy, w, r, s, last);
                }
            }
            boolean exact = last < scanLimit;
            for (int r = 0; r < recordsPerWriter; r++) {
                if (seen[r]) {
                    continue;
                }
                long at = record(w, r);
                long seq = copy.get(ValueLayout.JAVA_LONG, at);
                long val = copy.get(ValueLayout.JAVA_LONG, at + 8);
                if (exact ? (seq != 0 || val != 0) : (seq > last || seq > 0 && val != value(w, seq))) {
                    throw new AssertionError("writer " + w + " record " + r + ": (seq " + seq + ", value " + val
                            + ") but its header says " + last + " operations");
                }
            }
        }
        return seqs;
    }

    long[] verify(MemorySegment copy) {
        return verify(copy, Long.MAX_VALUE);
    }

    private void check(MemorySegment copy, int w, int r, long expectSeq, long last) {
        long at = record(w, r);
        long seq = copy.get(ValueLayout.JAVA_LONG, at);
        long val = copy.get(ValueLayout.JAVA_LONG, at + 8);
        if (seq != expectSeq || val != value(w, expectSeq)) {
            throw new AssertionError("writer " + w + " record " + r + ": (seq " + seq + ", value " + val
                    + ") but replaying its " + last + " operations gives (seq " + expectSeq + ", value "
                    + value(w, expectSeq) + ")");
        }
    }
}
