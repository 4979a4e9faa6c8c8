package dev.atlas.memory;

import dev.atlas.memory.linux.Linux;

/**
 * What one view may do with a range of a region (MultiView / SafeThreads): the same pages
 * can be read-write in one view, read-only or inaccessible in another.
 *
 * <p>Held at two levels: Java segments handed out for a {@link #READ_ONLY} range are
 * {@linkplain java.lang.foreign.MemorySegment#asReadOnly() read-only} (a write throws
 * {@link IllegalArgumentException}), segments of a {@link #NONE} range are refused; and the
 * view's pages carry the same protection ({@code mprotect}), so native code is held to it.
 * Constants are ordered from weakest to strongest access.
 */
public enum Protection {
    /** No access: no segment is handed out; the pages are {@code PROT_NONE}. */
    NONE(Linux.PROT_NONE),
    /** Reads only: read-only segments; the pages are {@code PROT_READ}. */
    READ_ONLY(Linux.PROT_READ),
    /** Reads and writes (the default). */
    READ_WRITE(Linux.PROT_READ | Linux.PROT_WRITE);

    private final int bits;

    Protection(int bits) {
        this.bits = bits;
    }

    /** The {@code PROT_*} bits of this protection. */
    int bits() {
        return bits;
    }

    /** The weaker of two protections (the one allowing less). */
    static Protection weakest(Protection a, Protection b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }
}
