package dev.atlas.memory;

import dev.atlas.core.View;
import dev.atlas.core.ViewBuilder;
import dev.atlas.core.ViewSpace;
import dev.atlas.libc.Errno;
import dev.atlas.libc.LinuxException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BadInputTest {
    private ViewSpace space;
    private MemorySpace memory;
    private long page;

    @BeforeEach
    void setUp() {
        space = ViewSpace.create("bad");
        memory = MemorySpace.create(space, "bad", 4L << 20);
        page = memory.pageSize();
    }

    @AfterEach
    void tearDown() {
        memory.close();
        space.close();
    }

    private static void assertMessage(RuntimeException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should contain '" + p + "'");
        }
    }

    @Test
    void capacitiesOutOfRangeAreRefused() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> MemorySpace.create(space, "x", 0)), "capacity 0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> MemorySpace.create(space, "x", -5)), "-5");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> MemorySpace.create(space, "x", 1L << 47)),
                String.valueOf(1L << 47));
        assertThrows(IllegalArgumentException.class, () -> MemorySpace.create(space, " ", 4096));
    }

    @Test
    void regionsThatDoNotFitOrRepeatAreRefusedAndChangeNothing() {
        Region r = memory.allocate("r", 1L << 20);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> memory.allocate("big", 4L << 20)),
                "'big'", String.valueOf(4L << 20), (3L << 20) + " of " + (4L << 20));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> memory.allocate("huge", Long.MAX_VALUE)),
                String.valueOf(Long.MAX_VALUE));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> memory.allocate("r", page)), "'r' already exists");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> memory.allocate("zero", 0)), "size 0");
        assertThrows(IllegalArgumentException.class, () -> memory.allocate("neg", -1));
        assertThrows(IllegalArgumentException.class, () -> memory.allocate("", page));
        assertEquals(List.of(r), memory.regions());
        Region s = memory.allocate("s", 3L << 20);   // exactly the rest
        assertEquals(1L << 20, s.offset());
    }

    @Test
    void badRangesInDeclarationsNameTheRangeAndMapNothing() {
        Region r = memory.allocate("r", 4 * page);
        int lines = Proc.mapsOf("bad").size();
        ViewBuilder b = space.derive(space.baseView(), "v");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> memory.configure(b, m -> m.overlay(r, 1, page))), "not page-aligned", "[1, 1+" + page + ")");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> memory.configure(b, m -> m.overlay(r, 2 * page, 3 * page))), "not a non-empty range inside");
        assertThrows(IllegalArgumentException.class, () -> memory.configure(b, m -> m.protect(r, 0, 0, Protection.NONE)));
        assertThrows(IllegalArgumentException.class, () -> memory.configure(b, m -> m.overlay(r, -page, page)));
        assertThrows(IllegalArgumentException.class,
                () -> memory.configure(b, m -> m.overlay(r, page, Long.MAX_VALUE - page / 2)));
        assertThrows(IllegalStateException.class, () -> memory.configure(b, m -> {
            throw new IllegalStateException("user code failed");
        }));
        assertEquals(lines, Proc.mapsOf("bad").size(), "nothing mapped by refused declarations");
        View v = b.publish();   // the builder is unchanged: the view just uses the base mapping
        assertEquals(memory.segment(space.baseView(), r).address(), memory.segment(v, r).address());
    }

    @Test
    void foreignRegionsAndViewsAreRefused() {
        Region r = memory.allocate("r", page);
        try (ViewSpace other = ViewSpace.create("other");
             MemorySpace otherMemory = MemorySpace.create(other, "other", 1L << 20)) {
            Region foreign = otherMemory.allocate("foreign", page);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> memory.segment(space.baseView(), foreign)),
                    "'other'");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> memory.segment(other.baseView(), r)),
                    "view space 'other'");
            assertThrows(IllegalArgumentException.class,
                    () -> memory.configure(space.derive(space.baseView()), m -> m.overlay(foreign)));
            assertThrows(IllegalArgumentException.class, () -> memory.configure(other.derive(other.baseView()), m -> {}));
        }
    }

    @Test
    void declarationsAreOnlyForPreparingViewsAndOnlyOnce() {
        Region r = memory.allocate("r", page);
        ViewBuilder b = space.derive(space.baseView(), "v");
        memory.configure(b, m -> m.overlay(r));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> memory.configure(b, m -> {})), "already configured");
        View v = b.publish();
        assertMessage(assertThrows(IllegalStateException.class, () -> memory.configure(b, m -> {})), "ACTIVE");
        ViewBuilder preparing = space.derive(v, "p");
        assertThrows(IllegalStateException.class, () -> memory.segment(preparing.view(), r), "not readable while PREPARING");
        assertThrows(IndexOutOfBoundsException.class, () -> memory.segment(v, r, page - 4, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> memory.segment(v, r, -1, 8));
        preparing.abandon();
    }

    @Test
    void aFailedMmapInTheMiddleOfAViewLeavesNothingMapped() throws java.io.IOException {
        Region r = memory.allocate("r", 4 * page);
        long leftover = memory.capacity() - 4 * page;
        int memfdLines = Proc.mapsOf("bad").size();
        long reservations = countProtNoneOfSize(leftover);
        // mmap calls for this view: 1 reservation + 4 pieces; fail the 3rd (after a piece is mapped)
        FailingKernel k = new FailingKernel(3);
        MemorySpace faulty = MemorySpace.create(space, "faulty", 4L << 20, k);
        try {
            Region fr = faulty.allocate("r", 4 * page);
            int lines = Proc.mapsOf("faulty").size();
            long res = countProtNoneOfSize(leftover);
            k.reset(3);
            ViewBuilder b = space.derive(space.baseView(), "faulty-view");
            MemoryMappingException e = assertThrows(MemoryMappingException.class, () -> faulty.configure(b,
                    m -> m.overlay(fr, page, page).protect(fr, 3 * page, page, Protection.READ_ONLY)));
            assertEquals(Errno.ENOMEM, e.errno());
            String maxMapCount = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/vm/max_map_count")).getFirst().strip();
            assertMessage(e, "faulty-view", "'faulty'", "ENOMEM", "vm.max_map_count=" + maxMapCount + ",");
            assertEquals(lines, Proc.mapsOf("faulty").size(), "the mapped piece was unmapped");
            assertEquals(res, countProtNoneOfSize(leftover), "the reservation was unmapped");
            View v = b.publish();
            assertEquals(faulty.segment(space.baseView(), fr).address(), faulty.segment(v, fr).address());
        } finally {
            faulty.close();
        }
        assertEquals(memfdLines, Proc.mapsOf("bad").size());
        assertEquals(reservations, countProtNoneOfSize(leftover));
    }

    @Test
    void aFailedBaseMappingLeavesNoFileDescriptor() {
        long fds = Proc.openFds();
        MemoryMappingException e = assertThrows(MemoryMappingException.class,
                () -> MemorySpace.create(space, "never", 1L << 20, new FailingKernel(1)));
        assertMessage(e, "'never'", "ENOMEM");
        assertEquals(fds, Proc.openFds(), "the memory file was closed");
        assertTrue(Proc.mapsOf("never").isEmpty());
    }

    @Test
    void aFailedMmapWhileAllocatingLeavesNoRegionAndNoMapping() {
        FailingKernel k = new FailingKernel(0);
        MemorySpace faulty = MemorySpace.create(space, "faulty2", 4L << 20, k);
        try {
            Region first = faulty.allocate("first", page);
            View v1 = faulty.configure(space.derive(space.baseView()), m -> {}).publish();
            View v2 = faulty.configure(space.derive(space.baseView()), m -> {}).publish();
            int lines = Proc.mapsOf("faulty2").size();
            k.reset(2);   // three live mappings: fail in the second after the first has mapped it
            MemoryMappingException e = assertThrows(MemoryMappingException.class, () -> faulty.allocate("second", 2 * page));
            assertMessage(e, "'second'", "ENOMEM");
            assertEquals(List.of(first), faulty.regions());
            assertTrue(faulty.region("second").isEmpty());
            assertEquals(lines, Proc.mapsOf("faulty2").size(), "the first mapping's new range was given back");
            Region second = faulty.allocate("second", 2 * page);
            assertEquals(page, second.offset());
            faulty.segment(v1, second).set(JAVA_LONG, 0, 5L);
            assertEquals(5L, faulty.segment(v2, second).get(JAVA_LONG, 0));
        } finally {
            faulty.close();
        }
    }

    @Test
    void runningOutOfAddressSpaceIsAClearExceptionAndLeavesNothingBehind() {
        long fds = Proc.openFds();
        // each view reserves 64 TiB; the user address space (47 bits) has 128 TiB, part of it in use
        try (MemorySpace huge = MemorySpace.create(space, "huge", 1L << 46)) {
            Region r = huge.allocate("r", 1L << 40);    // 1 TiB, sparse
            huge.segment(space.baseView(), r).set(JAVA_LONG, (1L << 40) - 8, 1L);
            int lines = Proc.mapsOf("huge").size();
            MemoryMappingException e = assertThrows(MemoryMappingException.class,
                    () -> huge.configure(space.derive(space.baseView(), "too-many"), m -> {}));
            assertEquals(Errno.ENOMEM, e.errno());
            assertMessage(e, "too-many", "ENOMEM", "capacity " + (1L << 46));
            assertEquals(lines, Proc.mapsOf("huge").size());
        }
        assertEquals(fds, Proc.openFds());
    }

    private static long countProtNoneOfSize(long size) {
        return Proc.maps().stream().filter(l -> l.perms().equals("---p") && l.end() - l.start() == size).count();
    }

    /** Fails the n-th mmap (counting from 1 after reset) with ENOMEM; 0 = never. */
    static final class FailingKernel implements Kernel {
        private int failAt;
        private int calls;

        FailingKernel(int failAt) {
            this.failAt = failAt;
        }

        void reset(int n) {
            failAt = n;
            calls = 0;
        }

        @Override
        public MemorySegment mmap(MemorySegment addr, long length, int prot, int flags, int fd, long offset) {
            if (++calls == failAt) {
                throw new LinuxException("mmap(injected failure, length=" + length + ")", Errno.ENOMEM);
            }
            return Kernel.LINUX.mmap(addr, length, prot, flags, fd, offset);
        }
    }
}
