package dev.atlas.spaces.format;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpaceHeaderTest {
    private static SpaceMetadata metadata(String name) {
        return new SpaceMetadata(name, 0x1234_5678_9ABCL, 1000, 0640,
                List.of(new SpaceMetadata.Segment("main", 0x2000_4000_3000L, 1L << 30)), Map.of());
    }

    /** The image create writes is byte for byte the header that the general update path makes of a zeroed one. */
    @Test
    void aNewHeaderImageEqualsTheOneTheUpdatePathWritesAndReadsBack() {
        try (Arena a = Arena.ofConfined()) {
            for (String name : List.of("s", "orders.v2", "x".repeat(64))) {
                MemorySegment fast = a.allocate(SpaceHeader.BYTES, 8);
                SpaceHeader.formatImage(fast, metadata(name), 4242, 4343);
                MemorySegment slow = a.allocate(SpaceHeader.BYTES, 8);
                SpaceHeader h = new SpaceHeader(slow);
                h.setCreatorPid(4242);
                h.update(metadata(name));
                h.attachedTable().setAtIndex(JAVA_LONG, 0, 4343);
                h.writeVersion();
                assertArrayEquals(slow.toArray(JAVA_LONG), fast.toArray(JAVA_LONG), name);
                SpaceHeader read = new SpaceHeader(fast);
                assertEquals(metadata(name), read.read());
                assertEquals(0, read.magic(), "no magic: written last, by create");
                assertEquals(4242, read.creatorPid());
                assertEquals(SpaceHeader.VERSION, read.version());
                read.update(metadata(name).withRoot("r", new SpaceMetadata.Root("t", 0x2000_4000_4000L)));
                assertEquals(Map.of("r", new SpaceMetadata.Root("t", 0x2000_4000_4000L)), read.read().roots(),
                        "the next update goes to the other slot and reads back");
            }
            assertThrows(IllegalArgumentException.class,
                    () -> SpaceHeader.formatImage(a.allocate(4096, 8), metadata("s"), 1, 1));
        }
    }

    @Test
    void theDetachMarkMakesTheEntryOfItsSlotFreeAndNoOther() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment image = a.allocate(SpaceHeader.BYTES, 8);
            SpaceHeader h = new SpaceHeader(image);
            for (int slot : new int[] {0, 1, SpaceHeader.MAX_ATTACHED - 1}) {
                h.attachedTable().setAtIndex(JAVA_LONG, slot, 4_194_303L);   // the largest pid Linux hands out
                assertTrue(SpaceHeader.namesProcess(h.attachedTable().getAtIndex(JAVA_LONG, slot)));
                image.set(java.lang.foreign.ValueLayout.JAVA_BYTE, SpaceHeader.detachMarkOffset(slot), SpaceHeader.DETACH_MARK);
                assertTrue(!SpaceHeader.namesProcess(h.attachedTable().getAtIndex(JAVA_LONG, slot)), "slot " + slot);
            }
            assertEquals(0, h.attachedTable().getAtIndex(JAVA_LONG, 2), "the neighbours untouched");
            assertThrows(IllegalArgumentException.class, () -> SpaceHeader.detachMarkOffset(SpaceHeader.MAX_ATTACHED));
        }
    }
}
