package dev.atlas.spaces.heap;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The allocator's state at the start of a segment, and the header of each block: typed
 * layouts from which every offset the allocator uses is taken.
 */
final class HeapLayout {
    private HeapLayout() {}

    /** Size classes: class c holds blocks of {@code MIN_BLOCK << c} bytes. */
    static final int CLASSES = 40;
    static final long MIN_BLOCK = 32;

    static final StructLayout HEAP = MemoryLayout.structLayout(
            JAVA_LONG.withName("magic"),
            JAVA_LONG.withName("capacity"),
            JAVA_LONG.withName("dataStart"),
            JAVA_LONG.withName("top"),
            MemoryLayout.sequenceLayout(CLASSES, JAVA_LONG).withName("freeHeads"));

    static final StructLayout BLOCK = MemoryLayout.structLayout(
            JAVA_LONG.withName("state"),      // USED|class or FREE|class
            JAVA_LONG.withName("next"));      // next free block's offset, while free

    static final long MAGIC_OFF = HEAP.byteOffset(groupElement("magic"));
    static final long CAPACITY_OFF = HEAP.byteOffset(groupElement("capacity"));
    static final long DATA_START_OFF = HEAP.byteOffset(groupElement("dataStart"));
    static final long TOP_OFF = HEAP.byteOffset(groupElement("top"));
    static final long HEADS_OFF = HEAP.byteOffset(groupElement("freeHeads"), sequenceElement(0));
    static final long BLOCK_STATE_OFF = BLOCK.byteOffset(groupElement("state"));
    static final long BLOCK_NEXT_OFF = BLOCK.byteOffset(groupElement("next"));
    static final long BLOCK_HEADER = BLOCK.byteSize();

    static long headOffset(int sizeClass) {
        return HEADS_OFF + sizeClass * JAVA_LONG.byteSize();
    }
}
