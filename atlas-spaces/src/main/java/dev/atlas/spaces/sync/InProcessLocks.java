package dev.atlas.spaces.sync;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-process half of {@link RobustLock}: one {@link ReentrantLock} per lock identity
 * (space id, canonical address) for the whole JVM, whichever attachment of the space a
 * {@code RobustLock} was made from.
 *
 * <p>Why process-wide: the shared lock word records the holding <em>process</em>, so every
 * thread of this process that can reach the word, through any attachment, must be ordered by
 * the same in-process lock. Two attachments with separate in-process locks would let a second
 * thread find its own pid in the word and take it for a dead process's.
 *
 * <p>Threading contract: any thread.
 *
 * <h2>Implementation notes</h2>
 * Entries hold their lock weakly: a lock is kept while some {@code RobustLock} uses it (each
 * holds it strongly), so no one can be inside or waiting when it is dropped; cleared entries
 * are removed on the next call.
 */
final class InProcessLocks {
    private record Key(long spaceId, long address) {}

    private static final class Entry extends WeakReference<ReentrantLock> {
        final Key key;

        Entry(Key key, ReentrantLock lock, ReferenceQueue<ReentrantLock> queue) {
            super(lock, queue);
            this.key = key;
        }
    }

    private static final ConcurrentHashMap<Key, Entry> LOCKS = new ConcurrentHashMap<>();
    private static final ReferenceQueue<ReentrantLock> CLEARED = new ReferenceQueue<>();

    private InProcessLocks() {}

    /** The JVM's in-process lock for the lock word at canonical {@code address} of space {@code spaceId}. */
    static ReentrantLock of(long spaceId, long address) {
        for (Object r; (r = CLEARED.poll()) != null; ) {
            Entry e = (Entry) r;
            LOCKS.remove(e.key, e);
        }
        Key key = new Key(spaceId, address);
        for (;;) {
            Entry e = LOCKS.get(key);
            ReentrantLock lock = e == null ? null : e.get();
            if (lock != null) return lock;
            ReentrantLock fresh = new ReentrantLock();
            Entry mine = new Entry(key, fresh, CLEARED);
            if (e == null ? LOCKS.putIfAbsent(key, mine) == null : LOCKS.replace(key, e, mine)) return fresh;
        }
    }
}
