package dev.atlas.spaces;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Native memory in which {@link SpaceDirectory#create} prepares a new space file's first
 * bytes (the header and the segment's heap header) before writing them with one
 * {@code pwrite}: one buffer per thread, made on the thread's first create and zeroed for
 * each use, so that creating a space allocates no native memory and no arena.
 *
 * <p>Threading contract: {@link #acquire} hands a thread its buffer, or, while that thread
 * already holds it (a create called from inside another, e.g. from a step callback), a
 * buffer of its own; {@link #release} on the same thread gives it back.
 */
final class ImageBuffer {
    private static final ThreadLocal<ImageBuffer> CURRENT = new ThreadLocal<>();

    private final MemorySegment memory;
    private boolean held;

    private ImageBuffer(long bytes) {
        memory = Arena.ofAuto().allocate(bytes, 8);
    }

    /** A zeroed buffer of at least {@code bytes} bytes, for this thread until {@link #release}. */
    static ImageBuffer acquire(long bytes) {
        ImageBuffer b = CURRENT.get();
        if (b != null && b.held) {
            b = new ImageBuffer(bytes);   // nested use: a buffer of its own (zeroed when allocated), not kept
        } else if (b == null || b.memory.byteSize() < bytes) {
            b = new ImageBuffer(bytes);
            CURRENT.set(b);
        } else {
            b.memory.fill((byte) 0);
        }
        b.held = true;
        return b;
    }

    /** The first {@code bytes} bytes of the buffer. */
    MemorySegment image(long bytes) {
        return memory.asSlice(0, bytes);
    }

    void release() {
        held = false;
    }
}
