package dev.atlas.memory.uffd;

import dev.atlas.memory.linux.Linux;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps the memory of some segments alive: while a hold is open, closing the arena of any
 * of them throws {@link IllegalStateException} (the JDK's "session is acquired"), so the
 * memory stays mapped for the native handler.
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=scope-hold}
 *
 * <p>Only segments of shared or automatic arenas can be held: a confined arena's segments
 * are not accessible from the holder thread, and global-scope memory has no owner to
 * hold (callers refuse both first).
 *
 * <p>Thread safety: {@link #close()} may be called from any thread, once or more.
 */
public final class ScopeHold implements AutoCloseable {
    /*
     * Implementation notes.
     *
     * The FFM linker keeps a segment argument's scope acquired for the whole downcall
     * (documented in java.lang.foreign.Linker). One platform daemon thread per distinct
     * scope sits in atlas_hold(ready, release, segment): it signals `ready` from native
     * code, i.e. after the acquisition, and returns when `release` is signalled. acquire()
     * blocks (in atlas_hold_await) until every holder has signalled, so when it returns
     * each scope is acquired, or a holder failed (its arena was already closed: the
     * downcall throws before running) and acquire() has undone everything and thrown.
     * atlas_hold returns a negative value only if it failed before signalling ready; the
     * holder thread then signals for it (otherwise acquire() would wait forever).
     */
    private final NativeLibrary lib;
    private final int readyFd;
    private final int releaseFd;
    private final List<Thread> holders;
    private boolean closed;

    private ScopeHold(NativeLibrary lib, int readyFd, int releaseFd, List<Thread> holders) {
        this.lib = lib;
        this.readyFd = readyFd;
        this.releaseFd = releaseFd;
        this.holders = holders;
    }

    /**
     * Acquires the scope of every segment (one holder thread per distinct scope).
     *
     * @param owner    named in the holder threads' names and in messages
     * @throws IllegalStateException        if a segment's arena is closed (nothing is held then)
     * @throws UnsupportedOperationException if the native library is not loaded
     */
    public static ScopeHold acquire(String owner, List<MemorySegment> segments) {
        NativeLibrary lib = NativeLibrary.get();
        if (!lib.loaded()) {
            throw new UnsupportedOperationException(lib.failure);
        }
        return acquire(owner, segments, lib, (ready, release, s) -> (int) lib.hold.invokeExact(ready, release, s));
    }

    /** The native {@code atlas_hold} (a seam for tests that make it fail). */
    @FunctionalInterface
    interface HoldCall {
        /**
         * @return 0 once released; negative (-errno) if it failed before signalling ready;
         *         {@link #ENDED_EARLY} if it stopped holding before the release (after ready)
         */
        int hold(int readyFd, int releaseFd, MemorySegment keep) throws Throwable;
    }

    /** What {@code atlas_hold} returns when waiting for the release failed after it signalled ready. */
    static final int ENDED_EARLY = 1;

    static ScopeHold acquire(String owner, List<MemorySegment> segments, NativeLibrary lib, HoldCall call) {
        Objects.requireNonNull(owner, "owner");
        Map<MemorySegment.Scope, MemorySegment> byScope = new IdentityHashMap<>();
        for (MemorySegment s : segments) {
            if (!s.scope().isAlive()) {
                throw new IllegalStateException(owner + ": the arena of " + s + " is already closed");
            }
            byScope.putIfAbsent(s.scope(), s);
        }
        int ready = fd(lib);
        int release;
        try {
            release = fd(lib);
        } catch (RuntimeException e) {
            Linux.closeQuietly(ready);
            throw e;
        }
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        ScopeHold h = new ScopeHold(lib, ready, release, threads);
        for (MemorySegment s : byScope.values()) {
            threads.add(Thread.ofPlatform().daemon().name("atlas-hold-" + owner).stackSize(64 << 10).start(() -> {
                try {
                    int r = call.hold(ready, release, s);
                    if (r < 0) {
                        failures.add(new IllegalStateException("holding the memory failed: " + lib.describeErrno(-r)));
                        h.signal(ready);   // it failed before signalling: acquire() counts this holder as done
                    } else if (r == ENDED_EARLY) {
                        System.getLogger("dev.atlas.memory").log(System.Logger.Level.ERROR, "the memory hold of "
                                + owner + " ended before its release: waiting for the release failed in native code");
                    }
                } catch (Throwable t) {
                    failures.add(t);
                    h.signal(ready);   // acquire() counts this holder as done
                }
            }));
        }
        int r;
        try {
            r = (int) lib.holdAwait.invokeExact(ready, (long) threads.size());
        } catch (Throwable t) {
            h.close();
            throw new IllegalStateException("native call failed", t);
        }
        if (r < 0 || !failures.isEmpty()) {
            h.close();
            IllegalStateException e = new IllegalStateException(owner + ": the memory could not be held"
                    + (r < 0 ? ": " + lib.describeErrno(-r) : " (an arena was closed meanwhile)"));
            failures.forEach(e::addSuppressed);
            throw e;
        }
        return h;
    }

    /** Lets the arenas close again: wakes the holder threads and waits for them to leave native code. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        signal(releaseFd);
        boolean interrupted = false;
        for (Thread t : holders) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        Linux.closeQuietly(readyFd);
        Linux.closeQuietly(releaseFd);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void signal(int fd) {
        try {
            int r = (int) lib.holdSignal.invokeExact(fd);
            if (r < 0) {
                throw new IllegalStateException("signalling the memory holders failed: " + lib.describeErrno(-r));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    private static int fd(NativeLibrary lib) {
        int fd;
        try {
            fd = (int) lib.holdFd.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
        if (fd < 0) {
            throw new IllegalStateException("eventfd for a memory hold failed: " + lib.describeErrno(-fd));
        }
        return fd;
    }
}
