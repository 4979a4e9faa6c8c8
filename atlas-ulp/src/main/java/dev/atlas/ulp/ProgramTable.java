package dev.atlas.ulp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The running programs of a host by id, and how many it started and how many of those ended.
 * Every reading is a snapshot of one instant: the programs listed and the counts agree
 * ({@code started - ended} programs are listed), and {@code ended <= started}.
 *
 * <p>Threading: shared; every method may be called from any thread. Implementation notes:
 * one lock around a sorted map and two counters. A launch, a program's end, a status or a
 * kill each take it once, for a few map operations; no program thread waits on it while
 * running its own code. Linearizable: {@code ProgramTableModelCheckTest}.
 *
 * @param <P> what is kept per program
 */
final class ProgramTable<P> {
    private final ReentrantLock lock = new ReentrantLock();
    private final TreeMap<Long, P> running = new TreeMap<>();   // guarded by lock
    private long started;   // guarded by lock
    private long ended;     // guarded by lock

    /**
     * Adds program {@code id} as started and running.
     *
     * @throws IllegalStateException if {@code id} is running already (nothing changes)
     */
    void started(long id, P program) {
        lock.lock();
        try {
            if (running.putIfAbsent(id, program) != null) {
                throw new IllegalStateException("program id " + id + " is running already");
            }
            started++;
        } finally {
            lock.unlock();
        }
    }

    /** Removes program {@code id} as ended; false (and nothing changes) if it is not running. */
    boolean ended(long id) {
        lock.lock();
        try {
            if (running.remove(id) == null) {
                return false;
            }
            ended++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The running programs, by increasing id. */
    List<P> running() {
        lock.lock();
        try {
            return List.copyOf(new ArrayList<>(running.values()));
        } finally {
            lock.unlock();
        }
    }

    /** Program {@code id} if it is running. */
    Optional<P> find(long id) {
        lock.lock();
        try {
            return Optional.ofNullable(running.get(id));
        } finally {
            lock.unlock();
        }
    }

    /** {@code started} and {@code ended}, of the same instant. */
    Map<String, Long> counts() {
        lock.lock();
        try {
            return Map.of("started", started, "ended", ended);
        } finally {
            lock.unlock();
        }
    }
}
