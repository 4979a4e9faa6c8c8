package dev.atlas.memory.uffd;

import dev.atlas.testsupport.Await;
import dev.atlas.memory.linux.Linux;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriteProtectHandlerTest {
    static final long PAGE = 4096;

    @BeforeEach
    void requireUffd() {
        Userfaultfd.Availability a = Userfaultfd.availability();
        assumeTrue(a.available(), a.reason());
    }

    static MemorySegment anonymous(long pages) {
        return Linux.mmap(MemorySegment.NULL, pages * PAGE, Linux.PROT_READ | Linux.PROT_WRITE,
                Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS, -1, 0);
    }

    static void fill(MemorySegment m, long value) {
        for (long p = 0; p < m.byteSize() / PAGE; p++) {
            m.set(ValueLayout.JAVA_LONG, p * PAGE, value + p);
        }
    }

    static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void copyBeforeWriteSavesTheCutContentsOfAnonymousMemory() throws Exception {
        long fds = openFds();
        MemorySegment m = anonymous(64);
        try {
            fill(m, 1000);
            try (WriteProtectHandler h = WriteProtectHandler.open(1, 1, 1)) {
                WriteProtectHandler.RegionBuffers b = h.declareRegion(0, 64, null);
                h.register(0, m);
                h.start();
                h.protectAll();
                // during arming: a write is tracked, not saved
                m.set(ValueLayout.JAVA_LONG, 3 * PAGE, 77);
                assertEquals(1, h.cut());
                assertFalse(b.isSaved(3));
                // after the cut: writes from another thread save the page first
                Thread w = Thread.ofPlatform().start(() -> {
                    for (long p = 0; p < 10; p++) {
                        m.set(ValueLayout.JAVA_LONG, p * PAGE, -p);
                    }
                });
                w.join();
                for (long p = 0; p < 10; p++) {
                    assertTrue(b.isSaved(p), "page " + p);
                    long expected = p == 3 ? 77 : 1000 + p;
                    assertEquals(expected, b.copy().get(ValueLayout.JAVA_LONG, p * PAGE), "saved page " + p);
                    assertEquals(-p, m.get(ValueLayout.JAVA_LONG, p * PAGE));
                }
                assertFalse(b.isSaved(10));
                WriteProtectHandler.Stats s = h.stats();
                assertEquals(10, s.savedPages());
                assertEquals(0, s.errno());
            }
            // after close: the memory is writable without faults, no fd left
            m.set(ValueLayout.JAVA_LONG, 20 * PAGE, 5);
            assertEquals(fds, openFds());
        } finally {
            Linux.munmap(m);
        }
    }

    @Test
    void everyMappingOfAMemfdIsProtected() throws Exception {
        int fd = Linux.memfdCreate("wp-test", Linux.MFD_CLOEXEC);
        Linux.ftruncate(fd, 16 * PAGE);
        MemorySegment a = Linux.mmap(MemorySegment.NULL, 16 * PAGE, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0);
        MemorySegment c = Linux.mmap(MemorySegment.NULL, 16 * PAGE, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0);
        try {
            fill(a, 0);
            try (WriteProtectHandler h = WriteProtectHandler.open(1, 2, 4)) {
                WriteProtectHandler.RegionBuffers b = h.declareRegion(0, 16, null);
                h.register(0, a);
                h.register(0, c);
                h.start();
                h.protectAll();
                h.cut();
                c.set(ValueLayout.JAVA_LONG, 5 * PAGE, 55);   // through the second mapping
                a.set(ValueLayout.JAVA_LONG, 5 * PAGE + 8, 56);
                assertTrue(b.isSaved(5));
                assertTrue(b.isSaved(4), "the whole aligned chunk of 4 pages is saved");
                assertEquals(5, b.copy().get(ValueLayout.JAVA_LONG, 5 * PAGE));
                assertEquals(55, a.get(ValueLayout.JAVA_LONG, 5 * PAGE));
                assertFalse(b.isSaved(8));
            }
        } finally {
            Linux.munmap(a);
            Linux.munmap(c);
            Linux.close(fd);
        }
    }

    @Test
    void backgroundCopySavesEveryPage() throws Exception {
        MemorySegment m = anonymous(300);
        try {
            fill(m, 7);
            try (WriteProtectHandler h = WriteProtectHandler.open(1, 1, 1)) {
                WriteProtectHandler.RegionBuffers b = h.declareRegion(0, 300, null);
                h.register(0, m);
                h.start();
                h.protectAll();
                h.background(true);
                h.cut();
                Await.until(() -> "300 pages saved, not " + h.stats().savedPages(), Await.BOUND,
                        () -> h.stats().savedPages() >= 300);
                assertEquals(300, h.stats().savedPages());
                for (long p = 0; p < 300; p++) {
                    assertEquals(7 + p, b.copy().get(ValueLayout.JAVA_LONG, p * PAGE));
                }
            }
        } finally {
            Linux.munmap(m);
        }
    }

    @Test
    void misuseIsRefusedAndClosedBuffersCannotBeRead() {
        MemorySegment m = anonymous(4);
        try {
            WriteProtectHandler h = WriteProtectHandler.open(1, 1, 1);
            WriteProtectHandler.RegionBuffers b = h.declareRegion(0, 4, null);
            assertThrows(IllegalArgumentException.class, () -> h.declareRegion(0, 4, null));
            assertThrows(IllegalArgumentException.class, () -> h.register(0, m.asSlice(0, 3 * PAGE)));
            assertThrows(IllegalStateException.class, h::protectAll);   // not started
            assertThrows(IllegalStateException.class, h::cut);
            h.register(0, m);
            h.start();
            assertThrows(IllegalStateException.class, () -> h.register(0, m));
            h.close();
            h.close();
            assertThrows(IllegalStateException.class, () -> b.isSaved(0));
            assertThrows(IllegalStateException.class, h::stats);
        } finally {
            Linux.munmap(m);
        }
    }
}
