package dev.atlas.memory.uffd;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NativeLibraryTest {
    @Test
    void theLibraryIsLookedUpUnderTheDirectoryTheBuildNamesForThisArchitecture() {
        assertEquals("x86_64", NativeLibrary.arch("amd64"));
        assertEquals("x86_64", NativeLibrary.arch("x86_64"));
        assertEquals("aarch64", NativeLibrary.arch("aarch64"));
        assertNull(NativeLibrary.arch("riscv64"));
        assertEquals("/native/linux-" + NativeLibrary.arch(System.getProperty("os.arch")) + "/libatlasuffd.so",
                NativeLibrary.RESOURCE);
    }
}
