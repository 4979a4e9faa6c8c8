package dev.atlas.memory.uffd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * One userfaultfd, its native fault-handler thread, its regions and the mappings that
 * write to them: the engine of copy-before-write snapshots.
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=write-protect-handler}
 *
 * <p>Lifecycle: {@code open → declareRegion* → register* → start → protectAll → cut →
 * close}. Calls out of order get an {@link IllegalStateException}.
 *
 * <p>Thread safety: the set-up calls are meant for one operator thread, but every method
 * is synchronized, so {@link #stats()} and {@link #close()} may come from any thread.
 * The segments of {@link RegionBuffers} may be read from any thread until {@code close()},
 * after which reading them throws {@link IllegalStateException} (they belong to a shared
 * arena that {@code close()} closes before the native memory is freed).
 */
@SuppressWarnings("restricted")
public final class WriteProtectHandler implements AutoCloseable {
    /*
     * Implementation notes.
     *
     * The handle is a native pointer owned by this object; `closed` guards against a second
     * free. The native side (atlas_uffd.c) documents the handler modes and the invariant:
     * in COPY mode a page whose saved bit is 0 is write-protected in every registered
     * mapping, so it still holds the cut's contents.
     *
     * Memory ordering: the handler stores a saved-bitmap word with release ordering before
     * it un-protects the page; readers load it with acquire ordering (RegionBuffers.isSaved)
     * after reading the live page, so a reader that saw a post-cut write also sees the bit.
     */
    private static final long PAGE = 4096;

    private final NativeLibrary lib;
    private final MemorySegment handle;
    private final Arena arena = Arena.ofShared();
    private final long[] regionPages;
    private int mappings;
    private boolean started;
    private boolean protectedAll;
    private boolean cut;
    private boolean closed;

    private WriteProtectHandler(NativeLibrary lib, MemorySegment handle, int regions) {
        this.lib = lib;
        this.handle = handle;
        this.regionPages = new long[regions];
    }

    /**
     * Opens a userfaultfd for {@code regions} regions and at most {@code maxMappings}
     * mappings; each fault saves and un-protects an aligned chunk of {@code chunkPages} pages.
     *
     * @throws IllegalArgumentException if a count is not positive
     * @throws UserfaultfdException     if userfaultfd is not available (the reason says why)
     */
    public static WriteProtectHandler open(int regions, int maxMappings, int chunkPages) {
        if (regions <= 0 || maxMappings <= 0 || chunkPages <= 0) {
            throw new IllegalArgumentException("regions (" + regions + "), maxMappings (" + maxMappings
                    + ") and chunkPages (" + chunkPages + ") must be positive");
        }
        Userfaultfd.Availability a = Userfaultfd.availability();
        if (!a.available()) {
            throw new UserfaultfdException(a.reason(), 0);
        }
        NativeLibrary lib = NativeLibrary.get();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = tmp.allocate(ValueLayout.ADDRESS);
            int r = (int) lib.open.invokeExact(regions, maxMappings, (long) chunkPages, out);
            if (r < 0) {
                throw new UserfaultfdException("opening a userfaultfd failed: " + lib.describeErrno(-r), -r);
            }
            return new WriteProtectHandler(lib, out.get(ValueLayout.ADDRESS, 0), regions);
        } catch (UserfaultfdException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    /**
     * The page bitmaps and snapshot buffer of one region.
     *
     * @param pages     pages in the region
     * @param savedBits one bit per page, set (release) once the page's cut contents are saved
     * @param copy      the saved pages, page p at {@code p * 4096}; {@code null} for a region
     *                  with a target (its saved pages are the target's private pages)
     */
    public record RegionBuffers(long pages, MemorySegment savedBits, MemorySegment copy) {
        /** Whether page {@code page} was saved; an acquire load. */
        public boolean isSaved(long page) {
            long word = (long) ValueLayout.JAVA_LONG.varHandle().getAcquire(savedBits, (page >>> 6) * 8);
            return (word & (1L << (page & 63))) != 0;
        }
    }

    /**
     * Declares region {@code index} of {@code pages} pages. With a {@code target} (a private,
     * writable mapping of the region's contents, {@code pages * 4096} bytes), saving a page
     * means making the target's page private (copy-on-write of the current contents);
     * otherwise the page is copied into a buffer of the handler's own.
     *
     * @throws IllegalArgumentException if the index is out of range or already declared, or
     *                                  the page count or target size is wrong
     * @throws IllegalStateException    if the handler has started or is closed
     */
    public synchronized RegionBuffers declareRegion(int index, long pages, MemorySegment target) {
        ensureSetUp("declareRegion");
        Objects.checkIndex(index, regionPages.length);
        if (regionPages[index] != 0) {
            throw new IllegalArgumentException("region " + index + " is already declared");
        }
        if (pages <= 0 || pages > Long.MAX_VALUE / PAGE) {
            throw new IllegalArgumentException("pages must be positive, was " + pages);
        }
        if (target != null && (!target.isNative() || target.byteSize() != pages * PAGE || target.address() % PAGE != 0)) {
            throw new IllegalArgumentException("target must be a page-aligned native segment of " + pages * PAGE
                    + " bytes, was " + target);
        }
        MemorySegment t = target == null ? MemorySegment.NULL : target;
        int r = call(() -> (int) lib.region.invokeExact(handle, index, pages, t));
        check(r, "declaring region " + index + " (" + pages + " pages)");
        regionPages[index] = pages;
        MemorySegment bits = address(() -> (MemorySegment) lib.savedBits.invokeExact(handle, index)).reinterpret((pages + 63) / 64 * 8, arena, null);
        MemorySegment copy = null;
        if (target == null) {
            copy = address(() -> (MemorySegment) lib.copyBuffer.invokeExact(handle, index)).reinterpret(pages * PAGE, arena, null);
        }
        return new RegionBuffers(pages, bits, copy);
    }

    /**
     * Registers one mapping that writes to region {@code index} (its size must be the
     * region's). Not protected until {@link #protectAll()}.
     *
     * @throws UserfaultfdException if the kernel refuses (e.g. EBUSY: registered with
     *                              another userfaultfd; EINVAL: memory of a kind it cannot track)
     */
    public synchronized void register(int index, MemorySegment mapping) {
        ensureSetUp("register");
        Objects.checkIndex(index, regionPages.length);
        Objects.requireNonNull(mapping, "mapping");
        long pages = regionPages[index];
        if (pages == 0) {
            throw new IllegalArgumentException("region " + index + " is not declared");
        }
        if (!mapping.isNative() || mapping.address() % PAGE != 0 || mapping.byteSize() != pages * PAGE) {
            throw new IllegalArgumentException("a mapping of region " + index + " must be a page-aligned native segment of "
                    + pages * PAGE + " bytes, was " + mapping);
        }
        int r = call(() -> (int) lib.map.invokeExact(handle, index, mapping, mapping.byteSize()));
        check(r, "registering a mapping of region " + index + " (" + mapping.byteSize() + " bytes) for write-protect faults");
        mappings++;
    }

    /** Starts the handler thread (TRACK mode). */
    public synchronized void start() {
        ensureSetUp("start");
        check(call(() -> (int) lib.start.invokeExact(handle)), "starting the handler thread");
        started = true;
    }

    /**
     * Registers a mapping of region {@code index} after {@link #start()}, write-protected
     * before it counts (for a view mapped while a snapshot lives). Call it before anything
     * can write through the mapping.
     */
    public synchronized void registerLive(int index, MemorySegment mapping) {
        ensureOpen("registerLive");
        Objects.checkIndex(index, regionPages.length);
        long pages = regionPages[index];
        if (pages == 0 || !mapping.isNative() || mapping.address() % PAGE != 0 || mapping.byteSize() != pages * PAGE) {
            throw new IllegalArgumentException("a mapping of region " + index + " must be a page-aligned native segment of "
                    + pages * PAGE + " bytes, was " + mapping);
        }
        int r = call(() -> (int) lib.mapLive.invokeExact(handle, index, mapping, mapping.byteSize()));
        check(r, "registering a new mapping of region " + index);
        mappings++;
    }

    /** Un-protects and unregisters one registered mapping (before it is unmapped). */
    public synchronized void unregister(MemorySegment mapping) {
        if (closed) {
            return;
        }
        int r = call(() -> (int) lib.unmap.invokeExact(handle, mapping, mapping.byteSize()));
        if (r != -2) {   // ENOENT: not ours
            check(r, "unregistering a mapping");
            mappings--;
        }
    }

    /** Phase 1: write-protects every registered mapping. Writers keep running. */
    public synchronized void protectAll() {
        ensureOpen("protectAll");
        if (!started || protectedAll) {
            throw new IllegalStateException("protectAll() comes once, after start()");
        }
        check(call(() -> (int) lib.protectAll.invokeExact(handle)), "write-protecting the mappings");
        protectedAll = true;
    }

    /**
     * Still in phase 1, writers running: write-protects again the pages written since
     * {@link #protectAll()} or the previous call, so that fewer remain for the cut (and the
     * pause is shorter). Returns how many there were.
     */
    public synchronized long rearm() {
        ensureOpen("rearm");
        if (!protectedAll || cut) {
            throw new IllegalStateException("rearm() comes after protectAll() and before cut()");
        }
        long r;
        try {
            r = (long) lib.rearm.invokeExact(handle);
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
        check(r < 0 ? (int) r : 0, "re-protecting the pages written since protectAll()");
        return r;
    }

    /**
     * Phase 2, while no writer runs: copy-before-write mode from now on; pages written
     * during phase 1 are write-protected again. Returns how many.
     */
    public synchronized long cut() {
        ensureOpen("cut");
        if (!protectedAll || cut) {
            throw new IllegalStateException("cut() comes once, after protectAll()");
        }
        long r;
        try {
            r = (long) lib.cut.invokeExact(handle);
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
        check(r < 0 ? (int) r : 0, "re-protecting the pages written during arming");
        cut = true;
        return r;
    }

    /**
     * From the cut on, the handler thread also saves every page in the background, between
     * faults (and un-protects it in every mapping), so that writers stop faulting once it
     * has gone through the regions. Off by default; may be switched at any time.
     */
    public synchronized void background(boolean on) {
        ensureOpen("background");
        try {
            lib.background.invokeExact(handle, on ? 1 : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    /**
     * After each batch of faults the handler thread keeps polling, without sleeping, for
     * {@code spin} (zero, the default: it sleeps at once). Spinning saves the handler's
     * wake-up on the next fault (a scheduler round trip, milliseconds on a loaded machine)
     * at the price of a busy CPU while faults come.
     */
    public synchronized void spin(java.time.Duration spin) {
        ensureOpen("spin");
        try {
            lib.spin.invokeExact(handle, spin.toNanos());
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    /**
     * Counters of the handler thread.
     *
     * @param faults     write faults read from the userfaultfd
     * @param savedPages pages saved (copied aside, or made private in a target)
     * @param stale      faults on an address no longer registered
     * @param errno      the first error the handler thread met (0: none)
     */
    public record Stats(long faults, long savedPages, long stale, int errno) {
    }

    /** The handler thread's counters so far. */
    public synchronized Stats stats() {
        ensureOpen("stats");
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = tmp.allocate(ValueLayout.JAVA_LONG, 4);
            lib.stats.invokeExact(handle, out);
            return new Stats(out.getAtIndex(ValueLayout.JAVA_LONG, 0), out.getAtIndex(ValueLayout.JAVA_LONG, 1),
                    out.getAtIndex(ValueLayout.JAVA_LONG, 2), (int) out.getAtIndex(ValueLayout.JAVA_LONG, 3));
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    /** Whether {@link #close()} has run. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Un-protects and unregisters every mapping (a writer blocked in a fault goes on),
     * stops the handler thread, closes the userfaultfd and frees the buffers. Idempotent.
     *
     * @throws UserfaultfdException if an ioctl failed on the way (teardown still completed)
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        arena.close();   // readers of the buffers fail from now on, before the memory goes
        int r = call(() -> (int) lib.close.invokeExact(handle));
        check(r, "tearing down the userfaultfd");
    }

    private void ensureOpen(String op) {
        if (closed) {
            throw new IllegalStateException(op + "(): the handler is closed");
        }
    }

    private void ensureSetUp(String op) {
        ensureOpen(op);
        if (started) {
            throw new IllegalStateException(op + "() must come before start()");
        }
    }

    private void check(int r, String what) {
        if (r < 0) {
            throw new UserfaultfdException(what + " failed: " + lib.describeErrno(-r), -r);
        }
    }

    @FunctionalInterface
    private interface IntCall {
        int call() throws Throwable;
    }

    @FunctionalInterface
    private interface AddressCall {
        MemorySegment call() throws Throwable;
    }

    private static int call(IntCall c) {
        try {
            return c.call();
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    private static MemorySegment address(AddressCall c) {
        try {
            return c.call();
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }
}
