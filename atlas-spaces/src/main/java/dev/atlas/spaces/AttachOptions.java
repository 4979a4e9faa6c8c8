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
 */
public record AttachOptions(boolean readOnly, boolean allowReloc) {
    public static final AttachOptions READ_WRITE = new AttachOptions(false, false);
    public static final AttachOptions READ_ONLY = new AttachOptions(true, false);

    public AttachOptions withReloc() {
        return new AttachOptions(readOnly, true);
    }
}
