package dev.atlas.spaces;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Native memory of a thread in which {@link SpaceDirectory} handles a space file's first
 * bytes: {@link #forImage} for the image {@link SpaceDirectory#create} prepares (the header
 * and the segment's heap header) before writing it with one {@code pwrite}, {@link #forRead}
 * for a header read with {@code pread}. Two buffers per thread, made on first use, so that
 * creating or attaching a space allocates no native memory and no arena.
 *
 * <p>An image buffer is not zeroed for each use: it holds zeros, or the image that the
 * previous create on this thread formatted in it (never a magic, and no byte that
 * {@link dev.atlas.spaces.format.SpaceHeader#formatImage} and
 * {@link dev.atlas.spaces.heap.SharedHeap#formatZeroedImage} do not rewrite or clear when
 * they format the next image over it). A create that fails releases it as
 * {@linkplain #release(boolean) not clean}, and the next use zeroes it.
 *
 * <p>Threading contract: {@link #forImage} and {@link #forRead} hand a thread its buffer of
 * that kind, or, while that thread already holds it (a create called from inside another,
 * e.g. from a step callback), a zeroed buffer of its own; {@link #release} on the same thread
 * gives it back.
 */
final class ImageBuffer {
    private static final ThreadLocal<ImageBuffer> IMAGE = new ThreadLocal<>();
    private static final ThreadLocal<ImageBuffer> READ = new ThreadLocal<>();

    private final MemorySegment memory;
    private boolean held;
    /** True while the memory holds only zeros and the bytes of images formatted in it (see the class comment). */
    private boolean clean = true;

    private ImageBuffer(long bytes) {
        memory = Arena.ofAuto().allocate(bytes, 8);   // zeroed
    }

    /**
     * A buffer of at least {@code bytes} bytes holding zeros or the image the previous
     * {@link SpaceDirectory#create} of this thread formatted there, for this thread until
     * {@link #release}.
     */
    static ImageBuffer forImage(long bytes) {
        ImageBuffer b = acquire(IMAGE, bytes);
        if (!b.clean) {
            b.memory.fill((byte) 0);
            b.clean = true;
        }
        return b;
    }

    /** A buffer of at least {@code bytes} bytes whatever it holds (for a {@code pread}), for this thread until {@link #release}. */
    static ImageBuffer forRead(long bytes) {
        return acquire(READ, bytes);
    }

    private static ImageBuffer acquire(ThreadLocal<ImageBuffer> current, long bytes) {
        ImageBuffer b = current.get();
        if (b != null && b.held) {
            b = new ImageBuffer(bytes);   // nested use: a buffer of its own, not kept
        } else if (b == null || b.memory.byteSize() < bytes) {
            b = new ImageBuffer(bytes);
            current.set(b);
        }
        b.held = true;
        return b;
    }

    /** The first {@code bytes} bytes of the buffer. */
    MemorySegment image(long bytes) {
        return memory.asSlice(0, bytes);
    }

    /** Gives the buffer back; an image buffer after a failure is zeroed on its next use. */
    void release(boolean clean) {
        this.clean &= clean;
        held = false;
    }

    /** Gives a read buffer back. */
    void release() {
        held = false;
    }
}
