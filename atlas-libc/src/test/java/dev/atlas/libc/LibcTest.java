package dev.atlas.libc;

import dev.atlas.libc.snippets.LibcSnippets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibcTest {
    @Test
    void supportsLinuxOnX86AndArmOnly() {
        assertTrue(Libc.supports("Linux", "amd64"));
        assertTrue(Libc.supports("Linux", "aarch64"));
        assertFalse(Libc.supports("Mac OS X", "aarch64"));
        assertFalse(Libc.supports("Windows 11", "amd64"));
        assertFalse(Libc.supports("Linux", "riscv64"));
        assertTrue(Libc.isSupported(), "these tests run on Linux x86_64 or aarch64");
    }

    @Test
    void pageSizeIsAPowerOfTwoOfAtLeast4KiB() {
        long page = Libc.pageSize();
        assertTrue(page >= 4096 && Long.bitCount(page) == 1, "page size " + page);
        assertEquals(3 * page, LibcSnippets.libc(3));
    }

    @Test
    void aFailedCallCarriesItsErrnoNameAndCall() {
        assertEquals("EBADF", LibcSnippets.linuxException(-1));
        LinuxException e = assertThrows(LinuxException.class, () -> {
            throw new LinuxException("close(fd=-1)", Errno.EBADF);
        });
        assertEquals("close(fd=-1) failed: EBADF (bad file descriptor)", e.getMessage());
        assertEquals("close(fd=-1)", e.call());
    }

    @Test
    void unknownErrnoValuesAreNamedByNumber() {
        assertEquals("errno 4095", Errno.name(4095));
        assertEquals("unknown error", Errno.describe(4095));
    }

    @Test
    void aMissingSymbolIsAClearError() {
        Downcall missing = Downcall.of("atlas_no_such_function", java.lang.foreign.FunctionDescriptor.ofVoid());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, missing::handle);
        assertEquals("libc has no symbol atlas_no_such_function", e.getMessage());
    }
}
