package dev.atlas.spaces;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AttachOptions#prefaulted()}: the attachment reads what the space holds, the touching
 * thread ends by itself, reads nothing beyond what the allocator handed out (a read of a
 * page never written would allocate it in the file; its blocks are read with {@code stat}, a
 * child process, hence an IT), and a detach while it runs is harmless.
 */
class PrefaultIT {
    @TempDir
    Path tmp;

    @Test
    void aPrefaultedAttachmentReadsTheSpaceAndItsThreadTouchesOnlyTheUsedPart() throws Exception {
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        long[] blocks = new long[256];
        try (SharedSpace s = dir.create("p", 256L << 20, 0600)) {   // 256 MiB, 8 MiB of it used
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = s.allocate(32 << 10);
                s.segment().set(JAVA_LONG, s.offsetOf(blocks[i]), i * 7L);
            }
            s.setRoot("first", "block", blocks[0]);
            assertEquals(s.heap().end(), dev.atlas.spaces.heap.SharedHeap.endHint(s.segment()), "the hint is the end");
            assertEquals(-1, dev.atlas.spaces.heap.SharedHeap.endHint(s.segment().asSlice(0, 128L << 20)),
                    "a heap of another size than the segment is no heap for the hint");
            assertEquals(-1, dev.atlas.spaces.heap.SharedHeap.endHint(s.segment().asSlice(4096, 1 << 20)),
                    "no heap header there");
        }
        long allocatedBefore = allocatedBytes(dir.spaceFile("p"));
        for (AttachOptions o : new AttachOptions[] {AttachOptions.READ_ONLY.prefaulted(),
                AttachOptions.READ_ONLY.mappedAnywhere().prefaulted(), AttachOptions.READ_WRITE.prefaulted()}) {
            try (SharedSpace s = dir.attach("p", o)) {
                assertTrue(o.prefault());
                for (int i = 0; i < blocks.length; i++) {
                    assertEquals(i * 7L, s.segment().get(JAVA_LONG, s.offsetOf(blocks[i])), o + " block " + i);
                }
                joinPrefaultThreads();
            }
        }
        assertEquals(allocatedBefore, allocatedBytes(dir.spaceFile("p")),
                "the file has as many pages as before: nothing beyond the allocator's end was read");
        for (int i = 0; i < 50; i++) {   // detached at once, the thread mid-way or not started: it ends quietly
            dir.attach("p", AttachOptions.READ_ONLY.mappedAnywhere().prefaulted()).close();
        }
        joinPrefaultThreads();
    }

    private static void joinPrefaultThreads() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("atlas-space-prefault-")) {
                assertTrue(t.isDaemon(), t.getName());
                t.join();
            }
        }
    }

    /** st_blocks * 512 of a file, as {@code stat -c %b} prints it (NIO has no call for it). */
    private static long allocatedBytes(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), out);
        return Long.parseLong(out) * 512;
    }
}
