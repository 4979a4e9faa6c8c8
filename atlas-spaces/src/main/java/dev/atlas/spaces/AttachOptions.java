package dev.atlas.spaces;

/**
 * How to attach a space.
 *
 * @param readOnly   map every segment read-only; writes through the space's API throw
 *                   {@link SpaceException.Reason#READ_ONLY}, through its segments
 *                   {@code IllegalArgumentException} (the JDK's read-only segment; never a fault)
 * @param allowReloc if a segment's fixed address is taken in this process, map it elsewhere
 *                   (SpaceJMP's RELOC: stored pointers are translated by the distance);
 *                   otherwise attaching fails with {@link SpaceException.Reason#ADDRESS_TAKEN}
 * @param anywhere   map every segment wherever the JDK places it (RELOC from the start),
 *                   with the JDK's own {@code FileChannel.map}: no native function is linked,
 *                   which is most of what attaching costs in a fresh JVM. Java code reaching
 *                   the space through {@link SharedSpace} and its structures works the same
 *                   (every access goes through segment offsets either way); only native code
 *                   that dereferences stored pointers needs the fixed address.
 * @param prefault   as soon as the space is mapped, a daemon thread of this JVM reads one byte
 *                   of every page of the part of the main segment its allocator has handed
 *                   out (never beyond: reading a page never written would allocate it), while
 *                   attach goes on and returns; see {@link #prefaulted()}
 */
public record AttachOptions(boolean readOnly, boolean allowReloc, boolean anywhere, boolean prefault) {
    public static final AttachOptions READ_WRITE = new AttachOptions(false, false, false, false);
    public static final AttachOptions READ_ONLY = new AttachOptions(true, false, false, false);

    public AttachOptions withReloc() {
        return new AttachOptions(readOnly, true, anywhere, prefault);
    }

    /** These options with {@link #anywhere()}: the cheapest attach for a JVM that only uses the space from Java. */
    public AttachOptions mappedAnywhere() {
        return new AttachOptions(readOnly, true, true, prefault);
    }

    /**
     * These options with {@link #prefault()}: for a process that is about to read most of
     * what the space holds (a traversal of a whole structure). The page faults of the first
     * reads then happen in a second thread, on another CPU if there is one, ahead of and
     * alongside the reader, instead of one by one in the reader; a page that thread has
     * touched costs the reader nothing more in this process. It spends the same CPU time on
     * the faults (and one thread start): with no idle CPU it gains nothing. Not the default:
     * a process that reads a few keys of a large space would fault in all of it for nothing.
     * It stops at the detach.
     */
    public AttachOptions prefaulted() {
        return new AttachOptions(readOnly, allowReloc, anywhere, true);
    }
}
