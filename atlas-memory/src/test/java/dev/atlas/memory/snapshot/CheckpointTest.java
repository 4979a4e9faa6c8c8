package dev.atlas.memory.snapshot;

import dev.atlas.core.ViewSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real use: a checkpoint of an off-heap store to a file while its writers run. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CheckpointTest {
    /** Copy-before-write where available, else (no native handler or userfaultfd) an eager copy: both must pass. */
    @Test
    void aCheckpointWrittenWhileWritersRunIsAConsistentPrefixOfEveryWriter(@TempDir Path dir) throws Exception {
        SlotStore store = new SlotStore(3, 30_000);
        Path file = dir.resolve("store.ckpt");
        long[] inFile;
        long[] atCheckpoint = new long[store.writers];
        try (ViewSpace space = ViewSpace.create("checkpoint");
             Arena arena = Arena.ofConfined()) {
            Writers writers = new Writers(space, store, false);
            try {
                while (writers.total() < 30_000) {
                    Thread.onSpinWait();
                }
                SnapshotCut cut = SnapshotCut.quiescent(space, writers.threads, Duration.ofSeconds(20));
                try (MemorySnapshot s = MemorySnapshot.builder().region("store", store.memory).cut(cut).take();   // AUTO
                     FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    for (int w = 0; w < store.writers; w++) {
                        atCheckpoint[w] = writers.done.get(w);   // after the cut: at least what is in the file
                    }
                    s.region("store").writeTo(out);   // writers keep writing meanwhile
                }
            } finally {
                writers.close();
            }
            assertEquals(store.bytes, Files.size(file));
            MemorySegment copy;
            try (FileChannel in = FileChannel.open(file)) {
                copy = in.map(FileChannel.MapMode.READ_ONLY, 0, store.bytes, arena);
            }
            inFile = store.verify(copy);                 // exact replay of each writer's prefix
            long[] finalSeqs = store.verify(store.memory);   // and the store itself, at the end
            for (int w = 0; w < store.writers; w++) {
                assertTrue(inFile[w] > 0, "writer " + w + " has operations in the checkpoint");
                assertTrue(inFile[w] <= atCheckpoint[w], "writer " + w + ": " + inFile[w] + " in the file, "
                        + atCheckpoint[w] + " done when the snapshot was taken");
                assertTrue(finalSeqs[w] >= atCheckpoint[w]);
                assertEquals(writers.done.get(w), finalSeqs[w]);
            }
        } finally {
            store.unmap();
        }
    }
}
