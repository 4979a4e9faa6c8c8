package dev.atlas.spaces;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a creation that died before its last step (the header's magic) leaves: the name reads
 * as busy while the creator lives, and once it is dead the next {@code attach} or
 * {@code create} removes the header and segment files. The dead creator is a child process
 * that has exited.
 */
class InterruptedCreationIT {
    @TempDir
    Path tmp;

    @Test
    void aCreationThatDiedIsRemovedOnceItsCreatorIsDead() throws Exception {
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        for (boolean byCreate : new boolean[] {false, true}) {
            dir.create("half", 1 << 20, 0600).close();
            Path header = dir.spaceFile("half");
            putLong(header, 0, 0L);                                   // no magic: creation not finished
            putLong(header, 16, ProcessHandle.current().pid());      // creatorPid: alive, so the name is busy
            SpaceException busy = assertThrows(SpaceException.class, () -> dir.attach("half", AttachOptions.READ_ONLY));
            assertEquals(SpaceException.Reason.DAMAGED, busy.reason());
            assertTrue(busy.getMessage().contains("still in progress"), busy.getMessage());
            assertEquals(SpaceException.Reason.EXISTS,
                    assertThrows(SpaceException.class, () -> dir.create("half", 1 << 20, 0600)).reason());
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            putLong(header, 16, gone.pid());                          // its creator is dead
            if (byCreate) {
                try (SharedSpace s = dir.create("half", 1 << 20, 0600)) {
                    assertEquals(0, s.heap().used(), "a new, empty space under the name");
                }
                dir.delete("half", false);
            } else {
                SpaceException e = assertThrows(SpaceException.class, () -> dir.attach("half", AttachOptions.READ_WRITE));
                assertEquals(SpaceException.Reason.NOT_FOUND, e.reason(), e.getMessage());
            }
            try (var files = Files.list(tmp)) {
                assertEquals(List.of(), files.toList(), "the space file removed");
            }
        }
    }

    private static void putLong(Path file, long offset, long value) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value), offset);
        }
    }
}
