package dev.atlas.spaces.heap;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.atlas.spaces.heap.HeapLayout.BLOCK_HEADER;
import static dev.atlas.spaces.heap.HeapLayout.BLOCK_NEXT_OFF;
import static dev.atlas.spaces.heap.HeapLayout.BLOCK_STATE_OFF;
import static dev.atlas.spaces.heap.HeapLayout.CAPACITY_OFF;
import static dev.atlas.spaces.heap.HeapLayout.CLASSES;
import static dev.atlas.spaces.heap.HeapLayout.DATA_START_OFF;
import static dev.atlas.spaces.heap.HeapLayout.MAGIC_OFF;
import static dev.atlas.spaces.heap.HeapLayout.MIN_BLOCK;
import static dev.atlas.spaces.heap.HeapLayout.TOP_OFF;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A lock-free allocator whose whole state lives in the memory it manages, so that several
 * processes mapping that memory allocate from it at once. Offsets are byte offsets from the
 * start of the memory; a returned offset is 16-byte aligned and never 0.
 *
 * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=shared-heap}
 *
 * <h2>Progress guarantees</h2>
 * <ol>
 *   <li>{@link #allocate} and {@link #free} are lock-free: each retry follows a CAS that
 *       failed because another thread or process completed one.</li>
 *   <li>A process that dies at any instant inside them leaves the heap consistent: the
 *       shared lists and the bump pointer each change by one CAS; the other write (the
 *       block's state word, before a push or after a pop or bump) concerns only that block.
 *       The most a death leaves is a leaked block (claimed and never returned, or marked
 *       free and never pushed); {@link #check()} then still passes.</li>
 * </ol>
 *
 * <p>Threading contract: any thread of any process attached to the memory.
 *
 * <h2>Implementation notes</h2>
 * Size classes are powers of two ({@code 32 << c} bytes including a 16-byte block header).
 * A block comes from its class's free list, a Treiber stack, else from a bump pointer.
 * List heads are tagged: the upper 16 bits count pushes and pops, the lower 48 are the
 * block's offset, so that a head that was popped and pushed again (ABA) fails the CAS.
 * The tag wraps after 65,536 changes: a popper stalled between reading the head and its CAS
 * while a multiple of 65,536 pushes and pops of that size class happen, ending with the same
 * block on top, would install a stale {@code next} and damage that free list. Sixteen bits
 * is what the 48-bit offsets leave; the window is one popper's few instructions.
 * A popper may read the {@code next} word of a block another popper has just taken and
 * reused; that value is garbage, but the CAS on the tagged head then fails, and the read
 * itself is bounds-checked. A block's state word says USED or FREE with its class; a free
 * flips it USED to FREE by CAS, so a double free (even a racing one) is refused.
 *
 * <h2>Memory ordering</h2>
 * All accesses are volatile (sequentially consistent): the push's write of {@code next}
 * happens-before the CAS that publishes the block, which happens-before a popper's read.
 */
public final class SharedHeap {
    private static final long MAGIC = 0x4154_4C41_5348_5031L;   // "ATLASHP1"
    private static final long USED = 0x5553_4544_0000_0000L;    // "USED" in the upper half
    private static final long FREE = 0x4652_4545_0000_0000L;    // "FREE"
    private static final long STATE_MASK = 0xFFFF_FFFF_0000_0000L;
    private static final long OFFSET_MASK = (1L << 48) - 1;
    private static final long ALIGN = 16;

    private final Words words;
    private final long capacity;
    private final long dataStart;

    private SharedHeap(Words words, long capacity, long dataStart) {
        this.words = words;
        this.capacity = capacity;
        this.dataStart = dataStart;
    }

    /**
     * Formats {@code words} as an empty heap whose blocks start at {@code dataStart} (at or
     * after the heap's own header). Only the creator calls this, before anyone else can
     * attach.
     */
    public static SharedHeap format(Words words, long dataStart) {
        formatImage(words, words.byteSize(), dataStart);
        return new SharedHeap(words, words.byteSize(), dataStart);
    }

    /**
     * Writes the header of an empty heap of {@code capacity} bytes whose blocks start at
     * {@code dataStart} into {@code image}: the first {@link #headerBytes()} bytes of that
     * memory, prepared elsewhere (a creator writes them into the memory's file with
     * {@code pwrite} before mapping it, so that creating takes no page fault), then opened
     * with {@link #formatted}. The magic is written last, as by {@link #format(Words, long)}.
     */
    public static void formatImage(Words image, long capacity, long dataStart) {
        checkFormat(image.byteSize(), capacity, dataStart);
        for (int c = 0; c < CLASSES; c++) {
            image.setVolatile(HeapLayout.headOffset(c), 0);
        }
        image.setVolatile(CAPACITY_OFF, capacity);
        image.setVolatile(DATA_START_OFF, dataStart);
        image.setVolatile(TOP_OFF, dataStart);
        image.setVolatile(MAGIC_OFF, MAGIC);   // last: a heap without it was never finished
    }

    /**
     * As {@link #formatImage(Words, long, long)}, into memory private to the caller that is
     * still zero (a fresh allocation, written to the heap's file later): only the non-zero
     * words, with plain stores (nobody else sees the image until the caller writes it out).
     */
    public static void formatZeroedImage(MemorySegment zeroedImage, long capacity, long dataStart) {
        checkFormat(zeroedImage.byteSize(), capacity, dataStart);
        zeroedImage.set(JAVA_LONG, CAPACITY_OFF, capacity);
        zeroedImage.set(JAVA_LONG, DATA_START_OFF, dataStart);
        zeroedImage.set(JAVA_LONG, TOP_OFF, dataStart);
        zeroedImage.set(JAVA_LONG, MAGIC_OFF, MAGIC);
    }

    private static void checkFormat(long imageBytes, long capacity, long dataStart) {
        long headerEnd = HeapLayout.HEAP.byteSize();
        if (dataStart < headerEnd || dataStart % ALIGN != 0 || dataStart >= capacity || imageBytes < headerEnd) {
            throw new IllegalArgumentException("dataStart " + dataStart + " must be 16-aligned, at least " + headerEnd
                    + " and below the size " + capacity + " (image of " + imageBytes + " bytes)");
        }
    }

    /** The size of the heap's header: what {@link #formatImage} writes. */
    public static long headerBytes() {
        return HeapLayout.HEAP.byteSize();
    }

    /**
     * The heap in {@code words} whose header this process has just written with
     * {@link #formatImage}{@code (image, words.byteSize(), dataStart)}, opened without reading
     * that header (nothing in the memory is touched).
     */
    public static SharedHeap formatted(Words words, long dataStart) {
        return new SharedHeap(words, words.byteSize(), dataStart);
    }

    /** Formats with the blocks starting right after the heap header. */
    public static SharedHeap format(Words words) {
        return format(words, align(HeapLayout.HEAP.byteSize()));
    }

    /**
     * Opens a heap formatted before.
     *
     * @throws IllegalStateException naming what is wrong if the memory holds no valid heap
     */
    public static SharedHeap open(Words words) {
        long magic = words.getVolatile(MAGIC_OFF);
        if (magic != MAGIC) {
            throw new IllegalStateException("no heap here: magic 0x" + Long.toHexString(magic) + ", expected 0x"
                    + Long.toHexString(MAGIC) + " (never formatted, or formatting was interrupted)");
        }
        long cap = words.getVolatile(CAPACITY_OFF);
        long start = words.getVolatile(DATA_START_OFF);
        if (cap != words.byteSize() || start <= 0 || start >= cap) {
            throw new IllegalStateException("heap header damaged: capacity " + cap + " (mapping is " + words.byteSize()
                    + " bytes), data start " + start);
        }
        return new SharedHeap(words, cap, start);
    }

    /**
     * Allocates at least {@code size} bytes.
     *
     * @return the offset of the block's first byte (16-aligned)
     * @throws IllegalArgumentException if {@code size} is not positive
     * @throws HeapExhaustedException   if no block of that size is left; nothing changed
     */
    public long allocate(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("allocation size " + size + " must be positive");
        }
        int c = sizeClass(size);
        if (c < 0 || blockSize(c) > capacity - dataStart) {
            throw new HeapExhaustedException(size, capacity - dataStart, available());
        }
        long head = HeapLayout.headOffset(c);
        for (;;) {
            long h = words.getVolatile(head);
            long block = h & OFFSET_MASK;
            if (block == 0) {
                break;
            }
            long next = words.getVolatile(block + BLOCK_NEXT_OFF);   // may be stale; the tagged CAS decides
            if (words.compareAndSet(head, h, tagged(h, next & OFFSET_MASK))) {
                words.setVolatile(block + BLOCK_STATE_OFF, USED | c);
                return block + BLOCK_HEADER;
            }
        }
        long bytes = blockSize(c);
        for (;;) {
            long top = words.getVolatile(TOP_OFF);
            if (top + bytes > capacity) {
                throw new HeapExhaustedException(size, capacity - dataStart, available());
            }
            if (words.compareAndSet(TOP_OFF, top, top + bytes)) {
                words.setVolatile(top + BLOCK_STATE_OFF, USED | c);
                return top + BLOCK_HEADER;
            }
        }
    }

    /**
     * Returns a block to the heap.
     *
     * @throws IllegalArgumentException naming the offset if it is not a block this heap
     *                                  handed out and not yet freed (a double free, or a bad
     *                                  pointer); nothing changed
     */
    public void free(long offset) {
        long block = offset - BLOCK_HEADER;
        if (block < dataStart || offset % ALIGN != 0 || block >= words.getVolatile(TOP_OFF)) {
            throw new IllegalArgumentException("free(" + offset + "): not the offset of a block of this heap"
                    + " (blocks lie in [" + (dataStart + BLOCK_HEADER) + ", " + words.getVolatile(TOP_OFF) + "), 16-aligned)");
        }
        long state = words.getVolatile(block + BLOCK_STATE_OFF);
        int c = (int) (state & 0xFF);
        if ((state & STATE_MASK) != USED || c >= CLASSES || !words.compareAndSet(block + BLOCK_STATE_OFF, state, FREE | c)) {
            throw new IllegalArgumentException("free(" + offset + "): block is not in use (state 0x"
                    + Long.toHexString(state) + "): a double free or a pointer into the middle of a block");
        }
        long head = HeapLayout.headOffset(c);
        for (;;) {
            long h = words.getVolatile(head);
            words.setVolatile(block + BLOCK_NEXT_OFF, h & OFFSET_MASK);
            if (words.compareAndSet(head, h, tagged(h, block))) {
                return;
            }
        }
    }

    /** The usable size of the block at {@code offset} (at least what was asked for). */
    public long usableSize(long offset) {
        long state = words.getVolatile(offset - BLOCK_HEADER + BLOCK_STATE_OFF);
        if ((state & STATE_MASK) != USED) {
            throw new IllegalArgumentException("offset " + offset + " is not an allocated block");
        }
        return blockSize((int) (state & 0xFF)) - BLOCK_HEADER;
    }

    /** Bytes never handed out by the bump pointer (free-listed blocks not counted). */
    public long available() {
        return capacity - words.getVolatile(TOP_OFF);
    }

    /** Bytes handed out by the bump pointer so far (including blocks freed since). */
    public long used() {
        return words.getVolatile(TOP_OFF) - dataStart;
    }

    /**
     * The offset just past the last block the bump pointer has handed out: every block,
     * allocated or free, lies below it, and no byte at or above it has been written.
     */
    public long end() {
        return words.getVolatile(TOP_OFF);
    }

    /**
     * The {@link #end()} of the heap at the start of {@code segment}, read with plain reads
     * through a buffer view, or -1 if no heap header for a heap of exactly this segment's size
     * is there. A hint, for a reader about to touch the used part of a segment: a fresh JVM
     * gets it before any FFM var handle exists (the first ones take tens of milliseconds to
     * make), and a stale value only touches fewer pages.
     */
    public static long endHint(MemorySegment segment) {
        if (segment.byteSize() < HeapLayout.HEAP.byteSize()) return -1;
        java.nio.ByteBuffer b = segment.asSlice(0, HeapLayout.HEAP.byteSize()).asByteBuffer()
                .order(java.nio.ByteOrder.nativeOrder());
        if (b.getLong((int) MAGIC_OFF) != MAGIC || b.getLong((int) CAPACITY_OFF) != segment.byteSize()) return -1;
        long top = b.getLong((int) TOP_OFF);
        return top < 0 || top > segment.byteSize() ? -1 : top;
    }

    /** The total size of the heap's memory. */
    public long capacity() {
        return capacity;
    }

    /**
     * Verifies the heap's structure: every free list holds distinct blocks inside the used
     * area, aligned, marked FREE with the list's class, without a cycle. Meant for a heap
     * nobody is changing at the moment (after a crash, in tests).
     *
     * @return the free blocks per class
     * @throws IllegalStateException describing the first inconsistency found
     */
    public List<Integer> check() {
        long top = words.getVolatile(TOP_OFF);
        if (top < dataStart || top > capacity) {
            throw new IllegalStateException("heap top " + top + " outside [" + dataStart + ", " + capacity + "]");
        }
        List<Integer> counts = new ArrayList<>(CLASSES);
        for (int c = 0; c < CLASSES; c++) {
            long limit = (top - dataStart) / blockSize(c) + 1;
            int n = 0;
            for (long b = words.getVolatile(HeapLayout.headOffset(c)) & OFFSET_MASK; b != 0;
                 b = words.getVolatile(b + BLOCK_NEXT_OFF) & OFFSET_MASK) {
                if (b < dataStart || b + blockSize(c) > top || b % ALIGN != 0) {
                    throw new IllegalStateException("free list " + c + " holds block " + b + " outside the used area ["
                            + dataStart + ", " + top + ") or misaligned");
                }
                long state = words.getVolatile(b + BLOCK_STATE_OFF);
                if (state != (FREE | c)) {
                    throw new IllegalStateException("free list " + c + " holds block " + b + " in state 0x"
                            + Long.toHexString(state));
                }
                if (++n > limit) {
                    throw new IllegalStateException("free list " + c + " has a cycle (more than " + limit + " blocks)");
                }
            }
            counts.add(n);
        }
        return counts;
    }

    static int sizeClass(long size) {
        long need = size + BLOCK_HEADER;
        int c = 0;
        long b = MIN_BLOCK;
        while (b < need) {
            b <<= 1;
            if (++c >= CLASSES) {
                return -1;
            }
        }
        return c;
    }

    static long blockSize(int c) {
        return MIN_BLOCK << c;
    }

    private static long tagged(long oldHead, long offset) {
        long tag = (oldHead >>> 48) + 1;
        return (tag << 48) | offset;
    }

    private static long align(long v) {
        return (v + ALIGN - 1) & -ALIGN;
    }
}
