package dev.atlas.spaces.sync;

import dev.atlas.spaces.AttachOptions;
import dev.atlas.spaces.SharedSpace;
import dev.atlas.spaces.SpaceDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two attachments of one space in one JVM (the second RELOC, as the ADDRESS_TAKEN message
 * suggests): a robust lock reached through either excludes the other's holder, and nobody
 * takes this process's own pid in the lock word for a dead holder's.
 */
class RobustLockSharingTest {
    @TempDir
    Path tmp;

    @Test
    void theSpaceLockThroughTwoAttachmentsIsOneLock() throws Exception {
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        try (SharedSpace a = dir.create("twice", 1 << 20, 0600);
             SharedSpace b = dir.attach("twice", AttachOptions.READ_WRITE.withReloc())) {
            assertTrue(b.relocated());
            secondWaitsForFirst(a.lock(), b.lock());
            long counter = a.allocate(8);
            mutualExclusion(a.lock(), b.lock(), a.segment(), a.offsetOf(counter));
        }
    }

    @Test
    void aLockInTheSegmentThroughTwoAttachmentsIsOneLock() throws Exception {
        SpaceDirectory dir = SpaceDirectory.at(tmp);
        try (SharedSpace a = dir.create("twice", 1 << 20, 0600);
             SharedSpace b = dir.attach("twice", AttachOptions.READ_WRITE.withReloc())) {
            long at = a.allocate(RobustLock.LAYOUT.byteSize());
            secondWaitsForFirst(a.lockAt(at), b.lockAt(at));
            long counter = a.allocate(8);
            mutualExclusion(a.lockAt(at), b.lockAt(at), a.segment(), a.offsetOf(counter));
            assertEquals(0, a.lockAt(at).takeovers(), "no live holder was taken for a dead one");
        }
    }

    /** While this thread holds {@code first}, another thread asking {@code second} waits, then gets it normally. */
    private static void secondWaitsForFirst(RobustLock first, RobustLock second) throws InterruptedException {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread other;
        try (RobustLock.Held held = first.lock()) {
            assertEquals(ProcessHandle.current().pid(), first.holderPid());
            other = Thread.ofPlatform().start(() -> {
                try (RobustLock.Held h = second.lock()) {
                    seen.set("acquired; previous owner died: " + h.previousOwnerDied() + ", dead pid " + h.deadOwnerPid());
                }
            });
            // wait (no sleeping) until the other thread is parked on the lock, or has (wrongly) got it
            while (other.getState() != Thread.State.TERMINATED
                    && !(other.getState() == Thread.State.WAITING
                         && LockSupport.getBlocker(other) instanceof AbstractQueuedSynchronizer)) {
                Thread.onSpinWait();
            }
            assertEquals(null, seen.get(), "a second thread got the lock while this one held it");
        }
        other.join();
        assertEquals("acquired; previous owner died: false, dead pid 0", seen.get());
    }

    /** Two threads, one through each attachment, increment a plain counter under the lock. */
    private static void mutualExclusion(RobustLock one, RobustLock two, MemorySegment seg, long off)
            throws InterruptedException {
        int rounds = 20_000;
        Runnable[] bodies = new Runnable[2];
        RobustLock[] locks = {one, two};
        for (int t = 0; t < 2; t++) {
            RobustLock l = locks[t];
            bodies[t] = () -> {
                for (int i = 0; i < rounds; i++) {
                    try (RobustLock.Held h = l.lock()) {
                        long v = seg.get(JAVA_LONG, off);
                        Thread.onSpinWait();
                        seg.set(JAVA_LONG, off, v + 1);
                    }
                }
            };
        }
        Thread x = Thread.ofPlatform().start(bodies[0]), y = Thread.ofPlatform().start(bodies[1]);
        x.join();
        y.join();
        assertEquals(2L * rounds, seg.get(JAVA_LONG, off), "increments under the lock were lost");
    }
}
