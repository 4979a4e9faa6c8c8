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
 */
public record AttachOptions(boolean readOnly, boolean allowReloc, boolean anywhere) {
    public static final AttachOptions READ_WRITE = new AttachOptions(false, false, false);
    public static final AttachOptions READ_ONLY = new AttachOptions(true, false, false);

    public AttachOptions withReloc() {
        return new AttachOptions(readOnly, true, anywhere);
    }

    /** These options with {@link #anywhere()}: the cheapest attach for a JVM that only uses the space from Java. */
    public AttachOptions mappedAnywhere() {
        return new AttachOptions(readOnly, true, true);
    }
}
