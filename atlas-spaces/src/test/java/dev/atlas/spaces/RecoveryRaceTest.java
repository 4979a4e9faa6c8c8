package dev.atlas.spaces;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several threads re-create a space over what a dead creator left under its name (a header
 * without magic whose creator pid is dead), all at once: each of them finds the leftover and
 * removes it before claiming the name. Exactly one of them may create the space; every other
 * one gets EXISTS; and the file under the name is the winner's, whose space attaches with its
 * id. (A recoverer that checked the leftover, was overtaken by another that removed it and
 * created the space anew, and then removed the path, would delete the new space: two creators
 * would each believe they had created it.)
 */
class RecoveryRaceTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 150;

    @TempDir
    Path tmp;

    @Test
    void recreatingOverALeftoverHasExactlyOneWinnerAndKeepsItsFile() throws Exception {
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        for (int round = 0; round < ROUNDS; round++) {
            String name = "r" + round;
            dir.create(name, 64 * 1024, 0600).close();
            Path file = dir.spaceFile(name);
            putLong(file, 0, 0L);                                  // no magic: a creation that never finished
            putLong(file, 16, Integer.MAX_VALUE);                  // by a creator that is not alive
            CyclicBarrier start = new CyclicBarrier(THREADS);
            ConcurrentLinkedQueue<SharedSpace> won = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> other = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        won.add(dir.create(name, 64 * 1024, 0600));
                    } catch (SpaceException e) {
                        if (e.reason() != SpaceException.Reason.EXISTS) other.add(e);
                    } catch (Throwable e) {
                        other.add(e);
                    }
                }));
            }
            for (Thread t : threads) t.join();
            assertTrue(other.isEmpty(), "round " + round + ": only EXISTS may refuse a creator: " + other);
            assertEquals(1, won.size(), "round " + round + ": creators that each believe they created '" + name + "'");
            SharedSpace winner = won.peek();
            long id = winner.metadata().spaceId();
            winner.close();
            try (SharedSpace again = dir.attach(name, AttachOptions.READ_ONLY)) {
                assertEquals(id, again.metadata().spaceId(), "round " + round + ": the file under the name is the winner's");
            }
            dir.delete(name, false);
        }
    }

    private static void putLong(Path file, long offset, long value) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value), offset);
        }
    }
}
