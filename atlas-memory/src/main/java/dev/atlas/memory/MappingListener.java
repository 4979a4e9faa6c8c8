package dev.atlas.memory;

/**
 * Told when a view's mapping of a region appears or is about to go away (see
 * {@link MemorySpace#addMappingListener}). Calls are made under the memory space's lock:
 * keep them short and never call back into the space's configuring methods.
 */
public interface MappingListener {
    /** A new mapping of {@code range.region()} exists (the view may still be preparing). */
    default void mapped(MappedRange range) {}

    /** The mapping is about to be unmapped: stop using its addresses. */
    default void unmapping(MappedRange range) {}
}
