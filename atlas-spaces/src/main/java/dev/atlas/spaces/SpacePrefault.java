package dev.atlas.spaces;

import dev.atlas.spaces.heap.SharedHeap;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * What {@link AttachOptions#prefaulted()} starts: a daemon thread that reads one byte of
 * every 4 KiB page of a segment below its allocator's {@linkplain SharedHeap#end() end}, in
 * address order, then ends. The end is read with {@link SharedHeap#endHint} (no FFM var
 * handle: the thread starts touching while the attaching thread still makes its first ones).
 *
 * <p>Threading contract: {@link #start} from any thread; the thread only reads the segment.
 * When the attachment is closed meanwhile, its next read throws {@link IllegalStateException}
 * (the shared arena's close waits for no access to be in progress) and the thread ends.
 *
 * <h2>Implementation notes</h2>
 * In the Linux guest this was measured on, a page's first access costs 2-3 µs of CPU per
 * 4 KiB page, and a page one thread of the process has touched is then free for every
 * other thread: 64 MiB took 41-45 ms CPU to touch in one thread and then 0.5-0.7 ms in a
 * second one ({@code page-touch-floor.c} in atlas-bench measures the single-thread part).
 * Touching from Java rather than {@code madvise(MADV_POPULATE_READ)} keeps native linking
 * (tens of milliseconds in a fresh JVM) off the attach, and populating the page tables does
 * not spare the first access in that guest anyway ({@code page-touch-floor.c}: 54 ms CPU to
 * populate and then touch 64 MiB, 62 ms to touch it alone). The reads go through a
 * {@link ByteBuffer} view: the loop mostly runs interpreted (the 16,384 pages of 64 MiB
 * are fewer iterations than the JIT's on-stack-replacement threshold), where a buffer read
 * is about three times cheaper than a segment read. The thread is a plain {@link Thread}
 * running this named class: no lambda to spin and no thread builder to load in a fresh JVM.
 */
final class SpacePrefault implements Runnable {
    private static final int PAGE = 4096;
    private static final long CHUNK = 1L << 30;
    /** Where the sum of the bytes read goes, so that no compiler drops the reads. */
    @SuppressWarnings("unused")
    private static volatile long sink;

    private final MemorySegment segment;

    private SpacePrefault(MemorySegment segment) {
        this.segment = segment;
    }

    /** Starts touching {@code segment} (the main segment of space {@code name}, as mapped here). */
    static void start(String name, MemorySegment segment) {
        Thread t = new Thread(new SpacePrefault(segment), "atlas-space-prefault-" + name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        try {
            long end = SharedHeap.endHint(segment);   // -1 (nothing to touch) without a heap of this size
            long sum = 0;
            for (long chunk = 0; chunk < end; chunk += CHUNK) {
                ByteBuffer b = segment.asSlice(chunk, Math.min(CHUNK, end - chunk)).asByteBuffer();
                for (int i = 0, n = b.limit(); i < n; i += PAGE) sum += b.get(i);
            }
            sink = sum;
        } catch (IllegalStateException | IndexOutOfBoundsException e) {
            // detached meanwhile (the arena is closed), or no heap to read (attach refuses such a space itself):
            // nothing to touch, and nothing to report from a thread that only saves the reader time
        }
    }
}
