package dev.atlas.spaces.sync;

import dev.atlas.spaces.sys.SpaceSyscalls;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A mutual-exclusion lock in shared memory for several processes, that survives the death
 * of its holder: the next acquirer takes it over and learns that the holder died and the
 * intent it had recorded (like {@code EOWNERDEAD} of a robust pthread mutex).
 *
 * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=robust-lock}
 *
 * <h2>Progress guarantees</h2>
 * <ol>
 *   <li>{@link #lock()} blocks while a live process holds the lock (a futex wait, woken by
 *       the releaser); it never blocks for good on a dead one: a waiter re-checks the
 *       holder's liveness at least every 20 ms.</li>
 *   <li>Release is wait-free (one atomic swap, one futex wake if someone waits).</li>
 * </ol>
 *
 * <p>Threading contract: {@link #lock()} from any thread; the {@link Held} is confined to
 * the thread that got it. Within one JVM, threads are ordered by an in-process
 * {@link ReentrantLock} first (so virtual threads park normally), one per lock identity
 * (space id and canonical address) for the whole JVM, however many attachments of the space
 * it has; across processes by the word in shared memory. A {@code Held} dropped without
 * {@link Held#close()} keeps the lock held until this process exits.
 *
 * <h2>Implementation notes</h2>
 * The 32-bit lock word holds the holder's process id (0 = free) and a WAITERS bit set by
 * anyone who sleeps on it (the classic three-state futex mutex, pid in place of "1").
 * Ownership is per process: the in-process lock, shared by every {@code RobustLock} of this
 * JVM with the same identity, guarantees at most one thread of a process is inside, so a
 * holder finding its own pid in the word knows an earlier process with that pid died. A
 * waiter finding the holder dead ({@code kill(pid, 0)} fails with ESRCH) CASes
 * the word from the dead pid to its own: of several waiters exactly one wins, and only it
 * sees {@code previousOwnerDied}. A pid reused by a new process before anyone notices the
 * death makes the lock look held by a live process until that process exits (a known limit
 * of pid-based robustness; the kernel's robust futex lists would need the glibc-managed
 * per-thread list head). Two copies of this class in one JVM (two class loaders) do not
 * share in-process locks: load atlas-spaces once per JVM.
 *
 * <h2>Memory ordering</h2>
 * The word is accessed with volatile CAS/getAndSet (full fences); the intent word is written
 * before the release swap and read after the acquiring CAS.
 */
public final class RobustLock {
    /** The lock's layout in shared memory: 16 bytes, 8-aligned. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("word"),
            JAVA_INT.withName("takeovers"),
            JAVA_LONG.withName("intent"));

    /* plain value-layout var handles at the layout's offsets: no layout-path handles to spin up in a fresh JVM */
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final long WORD = LAYOUT.byteOffset(groupElement("word"));
    private static final long TAKEOVERS = LAYOUT.byteOffset(groupElement("takeovers"));
    private static final long INTENT = LAYOUT.byteOffset(groupElement("intent"));
    private static final int WAITERS = 1 << 30;
    private static final int PID_MASK = WAITERS - 1;
    private static final long RECHECK_NANOS = 20_000_000L;

    private final MemorySegment memory;
    private final MemorySegment word;
    private final ReentrantLock local;
    private final String name;
    private final int pid;

    /**
     * @param memory  {@link #LAYOUT}-sized shared memory holding the lock (zero = free)
     * @param spaceId the space's id ({@code SpaceMetadata.spaceId()})
     * @param address the lock's canonical address in that space (or any number no address
     *                takes, e.g. -1 for the space's own lock in its header): with the space id,
     *                the lock's identity in every attachment
     * @param name    for messages
     */
    public RobustLock(MemorySegment memory, long spaceId, long address, String name) {
        if (memory.byteSize() < LAYOUT.byteSize() || memory.address() % 8 != 0) {
            throw new IllegalArgumentException("lock memory for '" + name + "' must be " + LAYOUT.byteSize()
                    + " bytes, 8-aligned; got " + memory.byteSize() + " bytes at 0x" + Long.toHexString(memory.address()));
        }
        this.memory = memory;
        this.word = memory.asSlice(0, 4);
        this.local = InProcessLocks.of(spaceId, address);
        this.name = name;
        this.pid = (int) ProcessHandle.current().pid();
    }

    /** Acquires the lock, taking it over from a dead holder if need be. */
    public Held lock() {
        local.lock();
        try {
            boolean contended = false;
            for (;;) {
                int v = (int) INT.getVolatile(memory, WORD);
                if (v == 0) {
                    if (INT.compareAndSet(memory, WORD, 0, contended ? pid | WAITERS : pid)) {
                        return new Held(false, 0, 0);
                    }
                    continue;
                }
                int owner = v & PID_MASK;
                if (owner == pid || !SpaceSyscalls.isAlive(owner)) {
                    // owner == pid: a previous process with our pid died holding it (we hold the local lock)
                    if (INT.compareAndSet(memory, WORD, v, pid | WAITERS)) {
                        INT.getAndAdd(memory, TAKEOVERS, 1);
                        return new Held(true, owner, (long) LONG.getVolatile(memory, INTENT));
                    }
                    continue;
                }
                contended = true;
                if ((v & WAITERS) == 0 && !INT.compareAndSet(memory, WORD, v, v | WAITERS)) {
                    continue;
                }
                SpaceSyscalls.futexWait(word, v | WAITERS, RECHECK_NANOS);
            }
        } catch (RuntimeException | Error e) {
            local.unlock();
            throw e;
        }
    }

    /** The pid holding the lock now, or 0. A racy reading, for diagnostics. */
    public int holderPid() {
        return holderPid(memory);
    }

    /** The pid holding the lock in {@code memory} ({@link #LAYOUT}) now, or 0; read-only memory will do. */
    public static int holderPid(MemorySegment memory) {
        return (int) INT.getVolatile(memory, WORD) & PID_MASK;
    }

    /** How many times a holder's death was detected and the lock taken over. */
    public int takeovers() {
        return (int) INT.getVolatile(memory, TAKEOVERS);
    }

    /** The lock, held. Close to release it. Confined to the acquiring thread. */
    public final class Held implements AutoCloseable {
        private final boolean ownerDied;
        private final int deadPid;
        private final long deadIntent;
        private boolean released;

        Held(boolean ownerDied, int deadPid, long deadIntent) {
            this.ownerDied = ownerDied;
            this.deadPid = deadPid;
            this.deadIntent = deadIntent;
        }

        /** True if the previous holder died holding the lock: the protected state may need repair. */
        public boolean previousOwnerDied() {
            return ownerDied;
        }

        /** The dead holder's pid (0 unless {@link #previousOwnerDied()}). */
        public int deadOwnerPid() {
            return deadPid;
        }

        /** The intent the dead holder had recorded with {@link #intent(long)} (0: none). */
        public long deadOwnerIntent() {
            return deadIntent;
        }

        /** Records, in shared memory, what the holder is about to do (cleared on release). */
        public void intent(long value) {
            LONG.setVolatile(memory, INTENT, value);
        }

        @Override
        public void close() {
            if (released) {
                throw new IllegalStateException("lock '" + name + "' released twice");
            }
            released = true;
            try {
                LONG.setVolatile(memory, INTENT, 0L);
                int v = (int) INT.getAndSet(memory, WORD, 0);
                if ((v & WAITERS) != 0) {
                    SpaceSyscalls.futexWake(word, 1);
                }
            } finally {
                local.unlock();
            }
        }
    }
}
