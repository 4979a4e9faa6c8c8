package dev.atlas.memory.linux;

import dev.atlas.libc.Errno;
import dev.atlas.libc.Libc;
import dev.atlas.libc.LinuxException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinuxTest {
    private static final long PAGE = Libc.pageSize();

    @Test
    void twoSharedMappingsOfOneMemfdSeeEachOthersStores() {
        int fd = Linux.memfdCreate("linux-test", Linux.MFD_CLOEXEC);
        try {
            Linux.ftruncate(fd, 4 * PAGE);
            MemorySegment a = Linux.mmap(MemorySegment.NULL, 4 * PAGE, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0);
            MemorySegment b = Linux.mmap(MemorySegment.NULL, 4 * PAGE, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0);
            try {
                a.set(ValueLayout.JAVA_LONG, PAGE + 8, 42L);
                assertEquals(42L, b.get(ValueLayout.JAVA_LONG, PAGE + 8));
            } finally {
                Linux.munmap(a);
                Linux.munmap(b);
            }
        } finally {
            Linux.close(fd);
        }
    }

    @Test
    void pagemapFindsTheCopiedOnWritePagesOfAPrivateMapping() {
        int fd = Linux.memfdCreate("pagemap-test", Linux.MFD_CLOEXEC);
        try {
            Linux.ftruncate(fd, 8 * PAGE);
            MemorySegment shared = Linux.mmap(MemorySegment.NULL, 8 * PAGE, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0);
            MemorySegment priv = Linux.mmap(MemorySegment.NULL, 8 * PAGE, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_PRIVATE, fd, 0);
            try {
                shared.fill((byte) 1);
                priv.get(ValueLayout.JAVA_BYTE, 2 * PAGE);          // read only: stays a file page
                priv.set(ValueLayout.JAVA_BYTE, 3 * PAGE + 5, (byte) 9);
                priv.set(ValueLayout.JAVA_BYTE, 6 * PAGE, (byte) 9);
                BitSet written = Pagemap.privatePages(priv);
                BitSet expected = new BitSet();
                expected.set(3);
                expected.set(6);
                assertEquals(expected, written);
                assertTrue(Pagemap.privatePages(shared).isEmpty());
            } finally {
                Linux.munmap(shared);
                Linux.munmap(priv);
            }
        } finally {
            Linux.close(fd);
        }
    }

    @Test
    void pagemapOfAnUnalignedRangeIsRefused() {
        MemorySegment m = Linux.mmap(MemorySegment.NULL, 2 * PAGE, Linux.PROT_READ,
                Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS, -1, 0);
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Pagemap.privatePages(m.asSlice(8, PAGE)));
            assertTrue(e.getMessage().contains("not page-aligned"), e.getMessage());
            assertEquals(2, Pagemap.entries(m).length);
        } finally {
            Linux.munmap(m);
        }
    }

    @Test
    void failuresNameTheCallTheArgumentsAndErrno() {
        LinuxException e = assertThrows(LinuxException.class, () -> Linux.ftruncate(-1, 4096));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("EBADF", e.errnoName());
        assertTrue(e.getMessage().contains("ftruncate(fd=-1, length=4096)"), e.getMessage());

        LinuxException m = assertThrows(LinuxException.class,
                () -> Linux.mmap(MemorySegment.NULL, PAGE, Linux.PROT_READ, Linux.MAP_SHARED, -1, 0));
        assertEquals(Errno.EBADF, m.errno());
        assertTrue(m.getMessage().contains("MAP_SHARED"), m.getMessage());

        LinuxException o = assertThrows(LinuxException.class, () -> Linux.open("/nonexistent/atlas", Linux.O_RDONLY));
        assertEquals("ENOENT", o.errnoName());
    }
}
