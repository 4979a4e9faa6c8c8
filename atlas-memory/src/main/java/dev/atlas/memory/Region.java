package dev.atlas.memory;

/**
 * A named, page-aligned range of a {@link MemorySpace}: the same offset in every view, so an
 * offset stored in memory means the same thing in every view. Allocated with
 * {@link MemorySpace#allocate(String, long)}; regions never overlap and are never freed
 * before their space is closed.
 *
 * <p>Immutable; compares by identity.
 */
public final class Region {
    private final MemorySpace space;
    private final String name;
    private final int index;
    private final long offset;
    private final long size;

    Region(MemorySpace space, String name, int index, long offset, long size) {
        this.space = space;
        this.name = name;
        this.index = index;
        this.offset = offset;
        this.size = size;
    }

    /** The name, unique in its space. */
    public String name() {
        return name;
    }

    /** Offset of the region's first byte in every view (and in the memory file). */
    public long offset() {
        return offset;
    }

    /** Size in bytes, a multiple of the page size. */
    public long size() {
        return size;
    }

    /** The space the region belongs to. */
    public MemorySpace space() {
        return space;
    }

    int index() {
        return index;
    }

    @Override
    public String toString() {
        return "Region['" + name + "' offset=" + offset + " size=" + size + "]";
    }
}
