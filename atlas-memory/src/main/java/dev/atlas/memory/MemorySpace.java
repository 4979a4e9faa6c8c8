package dev.atlas.memory;

import dev.atlas.libc.Libc;
import dev.atlas.core.View;
import dev.atlas.core.ViewBuilder;
import dev.atlas.core.ViewKey;
import dev.atlas.core.ViewSpace;
import dev.atlas.core.ViewState;
import dev.atlas.core.observe.SpaceListener;
import dev.atlas.libc.Errno;
import dev.atlas.memory.linux.Linux;
import dev.atlas.libc.LinuxException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Off-heap memory with a real page-table view per {@link View}: named regions of one
 * memory file ({@code memfd}), mapped at the same offsets in every view, shared by default,
 * diverging or re-protected in the views that declare it.
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=memory-space}
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>Shared</b> (the default): a region is the same physical pages in every view; a
 *       store through one view is visible through all, at once, without a copy.</li>
 *   <li><b>Divergence</b>: see {@link Divergence} ({@code OVERLAY}: copy-on-write per page;
 *       frozen as of preparation, provided by a {@link FreezeMode}).</li>
 *   <li><b>Protection</b>: see {@link Protection}. Java and native code are both held to it.</li>
 *   <li><b>Which mapping a view uses</b>: a view {@linkplain #configure configured} here has its
 *       own mapping, built from its parent's declarations plus its own. A view never configured
 *       here uses the mapping of its nearest configured ancestor (the space's base mapping if
 *       there is none): it is the same address space as that ancestor, private pages included.</li>
 *   <li><b>Immutability</b>: declarations are made while the view is PREPARING; once it is
 *       published, its mappings never change, so no thread can be reading a range while it
 *       is remapped. New regions are mapped into every live view, into address space no
 *       segment has ever covered.</li>
 *   <li><b>Lifetime</b>: a view's mapping is unmapped after its grace period (atlas-core's
 *       {@code onRetire}), once neither the view nor any unconfigured descendant is live.
 *       Segments are bound to the mapping's shared arena: using one afterwards throws
 *       {@link IllegalStateException}, never a crash. {@link #close()} unmaps everything.</li>
 * </ul>
 *
 * <p>Thread safety: all methods may be called from any thread. {@link #segment} is
 * lock-free and allocation-free; allocating, configuring, speculating and closing take one
 * lock of the space among themselves. Linux only (x86_64, aarch64): elsewhere
 * {@link #create} throws {@link UnsupportedOperationException}.
 *
 * <p>Size: one class over 500 lines because each view's mapping is built, remapped and
 * unmapped under the one lock these methods share; a third of it is javadoc.
 */
public final class MemorySpace implements AutoCloseable {
    /*
     * Implementation notes.
     *
     * Each view mapping (class Mapping) reserves `capacity` bytes of address space with one
     * PROT_NONE anonymous MAP_NORESERVE mapping and maps each region over it with MAP_FIXED
     * (one mmap per piece of the view's layout): creating a view costs a number of system
     * calls that follows the number of regions and declarations, never the bytes.
     *
     * Which mapping a view uses: configured views carry their Mapping under `key` (a
     * ViewKey private to this space), and atlas-core's inheritance hands it to unconfigured
     * descendants, so the hot path (segment) is a ThreadLocal read, a map lookup and an
     * array read. `own` maps view id -> Mapping for configured views, including preparing
     * ones, for the lifetime scan below.
     *
     * Lifetime invariant: a Mapping is closed only (a) by close(), or (b) when its owner has
     * retired and no live view (any state but RETIRED, as listed by ViewSpace.views())
     * resolves to it. (b) is checked when the owner's onRetire action runs and again after
     * every view retirement (a SpaceListener), both on the housekeeper, under `lock`.
     *
     * One window is not closed: atlas-core lets a view be derived from a RETIRING parent. If
     * the parent's last pin drops between derive's state check and derive registering the
     * child, the scan can miss the child and close the mapping it would inherit; the child's
     * segments then throw IllegalStateException (never a crash). Configure children of
     * retiring views explicitly, or derive from ACTIVE views.
     *
     * Memory accounting: private (overlay) pieces are mapped MAP_NORESERVE, so that a 64 GiB
     * overlay does not need 64 GiB of commit charge up front; like any lazily committed
     * memory, a first write to a page can then fail only if the machine is out of memory.
     *
     * Lock order: `lock` may be taken while holding nothing; code under `lock` never calls
     * an atlas-core operator method (derive, publish, retire), so it cannot deadlock with the
     * space's admin lock or housekeeper.
     */
    private static final long MAX_CAPACITY = 1L << 46;   // 64 TiB per view; x86_64 user space is 128 TiB

    private final ViewSpace viewSpace;
    private final String name;
    private final long capacity;
    private final long pageSize;
    private final int fd;
    private final Kernel kernel;
    private final ViewKey<Mapping> key;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Region> byName = new HashMap<>();
    private final ConcurrentHashMap<Long, Mapping> own = new ConcurrentHashMap<>();
    private final Set<Mapping> retiring = new LinkedHashSet<>();
    private final CopyOnWriteArrayList<MappingListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong speculations = new AtomicLong();
    private final SpaceListener retirementListener;
    private volatile List<Region> regions = List.of();
    private long nextOffset;
    private Mapping base;
    private volatile boolean closed;

    private MemorySpace(ViewSpace viewSpace, String name, long capacity, int fd, Kernel kernel) {
        this.viewSpace = viewSpace;
        this.name = name;
        this.capacity = capacity;
        this.pageSize = Libc.pageSize();
        this.fd = fd;
        this.kernel = kernel;
        this.key = ViewKey.of("memory:" + name, Mapping.class);
        this.retirementListener = new SpaceListener() {
            @Override
            public void viewRetired(ViewRetired event) {
                retryRetiring();
            }
        };
    }

    /**
     * Creates a memory space of {@code capacity} bytes (rounded up to whole pages) attached
     * to {@code viewSpace}, and maps it for the views with no memory configuration of their
     * own (at first, all of them). Memory is sparse: pages are allocated when first touched.
     * Every view mapping reserves {@code capacity} bytes of address space. Close it when done.
     *
     * @throws UnsupportedOperationException if not on Linux x86_64/aarch64
     * @throws IllegalArgumentException      if the capacity is not in 1..2^46 bytes or the name is blank
     * @throws MemoryMappingException        if the kernel refuses the memory file or the mapping
     */
    public static MemorySpace create(ViewSpace viewSpace, String name, long capacity) {
        return create(viewSpace, name, capacity, Kernel.LINUX);
    }

    static MemorySpace create(ViewSpace viewSpace, String name, long capacity, Kernel kernel) {
        Objects.requireNonNull(viewSpace, "viewSpace");
        Objects.requireNonNull(name, "name");
        Libc.requireSupported();
        if (name.isBlank()) {
            throw new IllegalArgumentException("a memory space needs a non-blank name");
        }
        if (capacity <= 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity " + capacity + " bytes: expected 1.." + MAX_CAPACITY
                    + " bytes (each view reserves the whole capacity of address space)");
        }
        if (viewSpace.isClosed()) {
            throw new IllegalStateException("view space '" + viewSpace.name() + "' is closed");
        }
        long rounded = roundUp(capacity, Libc.pageSize());
        int fd;
        try {
            fd = Linux.memfdCreate("atlas:" + name, Linux.MFD_CLOEXEC);
        } catch (LinuxException e) {
            throw new MemoryMappingException("creating the memory file of space '" + name + "'", e);
        }
        MemorySpace ms = null;
        try {
            Linux.ftruncate(fd, rounded);
            ms = new MemorySpace(viewSpace, name, rounded, fd, kernel);
            ms.base = ms.newMapping(null, List.of());
            viewSpace.addListener(ms.retirementListener);
            return ms;
        } catch (LinuxException e) {
            Linux.closeQuietly(fd);
            throw new MemoryMappingException("creating memory space '" + name + "' of " + rounded + " bytes", e);
        } catch (RuntimeException | Error e) {
            Linux.closeQuietly(fd);
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /** The capacity in bytes (a multiple of the page size). */
    public long capacity() {
        return capacity;
    }

    /** The page size; region sizes and divergence ranges are multiples of it. */
    public long pageSize() {
        return pageSize;
    }

    /** The view space this memory space is attached to. */
    public ViewSpace viewSpace() {
        return viewSpace;
    }

    // ================================================================ regions

    /**
     * Allocates a region of {@code bytes} (rounded up to whole pages) after the last one,
     * and maps it, shared and read-write, into every live view mapping. Regions are never
     * freed before the space is closed.
     *
     * @throws IllegalArgumentException if the name is blank or taken, or the size is not
     *                                  positive or does not fit in the remaining capacity
     * @throws MemoryMappingException   if the kernel refuses a mapping (nothing is allocated)
     */
    public Region allocate(String regionName, long bytes) {
        Objects.requireNonNull(regionName, "regionName");
        if (regionName.isBlank()) {
            throw new IllegalArgumentException("a region needs a non-blank name");
        }
        if (bytes <= 0) {
            throw new IllegalArgumentException("region '" + regionName + "': size " + bytes + " bytes; expected > 0");
        }
        lock.lock();
        try {
            ensureOpen("allocate");
            if (byName.containsKey(regionName)) {
                throw new IllegalArgumentException("region '" + regionName + "' already exists in memory space '" + name
                        + "': " + byName.get(regionName));
            }
            long free = capacity - nextOffset;
            long size = bytes > free ? bytes : roundUp(bytes, pageSize);
            if (size > free) {
                throw new IllegalArgumentException("region '" + regionName + "' of " + bytes + " bytes does not fit in memory space '"
                        + name + "': " + free + " of " + capacity + " bytes free");
            }
            Region r = new Region(this, regionName, regions.size(), nextOffset, size);
            List<Mapping> live = liveMappings();
            List<Mapping> done = new ArrayList<>();
            try {
                for (Mapping m : live) {
                    m.addRegion(r);
                    done.add(m);
                }
            } catch (LinuxException e) {
                for (Mapping m : done) {
                    m.removeRegion(r);
                }
                throw failure("mapping region '" + regionName + "' (" + size + " bytes)", e);
            }
            List<Region> next = new ArrayList<>(regions);
            next.add(r);
            regions = List.copyOf(next);
            byName.put(regionName, r);
            nextOffset += size;
            for (Mapping m : live) {
                notifyMapped(m.ranges().getLast());
            }
            return r;
        } finally {
            lock.unlock();
        }
    }

    /** The region called {@code regionName}, if allocated. */
    public Optional<Region> region(String regionName) {
        return Optional.ofNullable(regions.stream().filter(r -> r.name().equals(regionName)).findFirst().orElse(null));
    }

    /** All regions, in allocation (and address) order. */
    public List<Region> regions() {
        return regions;
    }

    // ================================================================ access

    /**
     * Region {@code r} in the calling thread's current view ({@link ViewSpace#current()}):
     * read-write, read-only ({@link MemorySegment#asReadOnly()}) if any page of it is
     * read-only in that view. Lock-free, allocation-free.
     *
     * @throws IllegalStateException if some page of the region is inaccessible in the view,
     *                               the view has retired, or the space is closed
     */
    public MemorySegment segment(Region r) {
        return segment(viewSpace.current(), r);
    }

    /** Region {@code r} in {@code view}; see {@link #segment(Region)}. */
    public MemorySegment segment(View view, Region r) {
        checkOwn(r);
        return mappingOf(view).segment(view, r);
    }


    /**
     * Bytes [offset, offset+length) of region {@code r} in {@code view}, with the weakest
     * protection of the pages it covers.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the region
     * @throws IllegalStateException     if some page of the range is inaccessible in the view
     */
    public MemorySegment segment(View view, Region r, long offset, long length) {
        checkOwn(r);
        if (offset < 0 || length < 0 || offset > r.size() - length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + offset + "+" + length + ") is not inside "
                    + r + " (size " + r.size() + ")");
        }
        return mappingOf(view).segment(view, r, offset, length);
    }

    /** The protection of the page at {@code offset} of region {@code r} in {@code view}. */
    public Protection protection(View view, Region r, long offset) {
        checkOwn(r);
        if (offset < 0 || offset >= r.size()) {
            throw new IndexOutOfBoundsException("offset " + offset + " is not inside " + r);
        }
        return Piece.weakest(mappingOf(view).state(r).pieces(), offset, 1);
    }

    // ================================================================ views

    /**
     * Declares the memory of the view {@code builder} prepares, and maps it now: the view
     * starts from its parent's declarations and applies those {@code declarations} makes.
     * The mapping is unmapped after the view retires (its grace period); if the builder is
     * abandoned, at once. All or nothing: if the declarations or a mapping fail, nothing is
     * mapped and the builder is unchanged.
     *
     * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=configure}
     *
     * @return {@code builder}, to publish
     * @throws IllegalStateException    if the view is not PREPARING any more, or the space is closed
     * @throws IllegalArgumentException if it belongs to another space or was already configured
     * @throws MemoryMappingException   if the kernel refuses a mapping
     */
    public ViewBuilder configure(ViewBuilder builder, Consumer<MemoryViewBuilder> declarations) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(declarations, "declarations");
        View v = builder.view();
        checkView(v);
        if (v.state() != ViewState.PREPARING) {
            throw new IllegalStateException("view " + v + " is " + v.state()
                    + ": memory is declared while a view is PREPARING, and immutable once published");
        }
        lock.lock();
        try {
            ensureOpen("configure");
            if (own.containsKey(v.id())) {
                throw new IllegalArgumentException("view " + v + " is already configured in memory space '" + name + "'");
            }
            MemoryViewBuilder mb = new MemoryViewBuilder(this, resolve(v.parent().orElse(null)).layout());
            declarations.accept(mb);
            Mapping m = newMapping(v, mb.finish());
            try {
                builder.diverge(key, m).onRetire(() -> ownerRetired(m));
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
            own.put(v.id(), m);
            m.ranges().forEach(this::notifyMapped);
            return builder;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts a speculation: derives a view of {@code parent} in which {@code regions} are
     * copy-on-write overlays, publishes it, and returns it; {@link Speculation#commit()}
     * copies the pages it wrote back into {@code parent}, {@link Speculation#discard()} drops
     * them. Preparing costs one mapping per region, never a copy.
     *
     * @throws IllegalArgumentException if no region is given, one repeats, or one is not
     *                                  entirely read-write in {@code parent}
     * @throws dev.atlas.core.ViewRetiredException if {@code parent} is not ACTIVE or RETIRING
     */
    public Speculation speculate(View parent, Region... regions) {
        checkView(parent);
        List<Region> list = List.of(regions);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("speculate needs at least one region");
        }
        if (Set.copyOf(list).size() != list.size()) {
            throw new IllegalArgumentException("regions repeat: " + list);
        }
        for (Region r : list) {
            checkOwn(r);
            // resolve, not mappingOf: a retired parent is refused by derive, with ViewRetiredException
            if (parent.state() != ViewState.RETIRED
                    && Piece.weakest(resolve(parent).state(r).pieces(), 0, r.size()) != Protection.READ_WRITE) {
                throw new IllegalArgumentException("region '" + r.name() + "' is not read-write in view " + parent
                        + ": a speculation commits its writes there");
            }
        }
        ViewBuilder b = viewSpace.derive(parent, "speculation-" + speculations.incrementAndGet() + "-of-" + parent.name());
        try {
            configure(b, m -> list.forEach(m::overlay));
        } catch (RuntimeException | Error e) {
            b.abandon();
            throw e;
        }
        return new Speculation(this, parent, b.publish(), list);
    }

    /** Every live mapping of {@code r}, for page-table-level extensions (see {@link FreezeMode}). */
    public List<MappedRange> mappedRanges(Region r) {
        checkOwn(r);
        lock.lock();
        try {
            List<MappedRange> out = new ArrayList<>();
            for (Mapping m : liveMappings()) {
                out.add(m.ranges().get(r.index()));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Adds a listener told of every view mapping made or unmapped from now on. */
    public void addMappingListener(MappingListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public boolean removeMappingListener(MappingListener listener) {
        return listeners.remove(listener);
    }

    /**
     * Unmaps every view mapping and closes the memory file. Segments of this space throw
     * {@link IllegalStateException} from now on. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            viewSpace.removeListener(retirementListener);
            for (Mapping m : liveMappings()) {
                closeMapping(m);
            }
            own.clear();
            retiring.clear();
            Linux.closeQuietly(fd);
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "MemorySpace['" + name + "' capacity=" + capacity + " regions=" + regions.size() + "]";
    }

    // ================================================================ internals

    Kernel kernel() {
        return kernel;
    }

    int fd() {
        return fd;
    }

    /** The mapping {@code view} uses (fast path: the view's value for our key). */
    Mapping mappingOf(View view) {
        checkView(view);
        Mapping m = view.get(key);
        if (view.state() == ViewState.RETIRED) {
            throw gone(view);
        }
        return m == null ? base : m;
    }

    /**
     * The mapping a view uses, also for PREPARING views: its own if configured; a published
     * view's value for our key (its own or inherited at derivation); a preparing view's
     * parent's (a preparing view holds its parent strongly). Not a walk up the parent chain: a
     * published view holds its parent weakly, and a retired ancestor may be gone.
     */
    private Mapping resolve(View v) {
        for (View x = v; x != null; x = x.parent().orElse(null)) {
            Mapping m = own.get(x.id());
            if (m != null) {
                return m;
            }
            if (x.state() != ViewState.PREPARING) {
                Mapping inherited = x.get(key);
                return inherited == null ? base : inherited;
            }
        }
        return base;
    }

    private Mapping newMapping(View owner, List<List<Piece>> layout) {
        try {
            return Mapping.map(this, owner, regions, layout);
        } catch (LinuxException e) {
            throw failure("mapping view " + (owner == null ? "(base mapping)" : owner), e);
        }
    }

    private List<Mapping> liveMappings() {
        List<Mapping> out = new ArrayList<>();
        if (base != null && base.isAlive()) {
            out.add(base);
        }
        for (Mapping m : own.values()) {
            if (m.isAlive()) {
                out.add(m);
            }
        }
        return out;
    }

    private void ownerRetired(Mapping m) {
        lock.lock();
        try {
            if (closed || !m.isAlive()) {
                return;
            }
            retiring.add(m);
            tryClose(m);
        } finally {
            lock.unlock();
        }
    }

    private void retryRetiring() {
        lock.lock();
        try {
            for (Mapping m : List.copyOf(retiring)) {
                tryClose(m);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes {@code m} (whose owner has retired) unless a live view still uses it. */
    private void tryClose(Mapping m) {
        for (View v : viewSpace.views()) {
            if (v != m.owner() && v.state() != ViewState.RETIRED && resolve(v) == m) {
                return;
            }
        }
        retiring.remove(m);
        own.remove(m.owner().id());
        closeMapping(m);
    }

    private void closeMapping(Mapping m) {
        for (MappedRange r : m.ranges()) {
            for (MappingListener l : listeners) {
                try {
                    l.unmapping(r);
                } catch (RuntimeException e) {
                    System.getLogger("dev.atlas.memory").log(System.Logger.Level.WARNING, "a mapping listener failed", e);
                }
            }
        }
        m.close();
    }

    private void notifyMapped(MappedRange r) {
        for (MappingListener l : listeners) {
            try {
                l.mapped(r);
            } catch (RuntimeException e) {
                System.getLogger("dev.atlas.memory").log(System.Logger.Level.WARNING, "a mapping listener failed", e);
            }
        }
    }

    Region checkOwn(Region r) {
        Objects.requireNonNull(r, "region");
        if (r.space() != this) {
            throw new IllegalArgumentException(r + " belongs to memory space '" + r.space().name() + "', not '" + name + "'");
        }
        return r;
    }

    private void checkView(View v) {
        Objects.requireNonNull(v, "view");
        if (v.space() != viewSpace) {
            throw new IllegalArgumentException("view " + v + " belongs to view space '" + v.space().name()
                    + "', not '" + viewSpace.name() + "'");
        }
    }

    void checkRange(Region r, long offset, long length, String what) {
        if (offset < 0 || length <= 0 || offset > r.size() - length) {
            throw new IllegalArgumentException(what + ": range [" + offset + ", " + offset + "+" + length
                    + ") is not a non-empty range inside " + r);
        }
        if (offset % pageSize != 0 || length % pageSize != 0) {
            throw new IllegalArgumentException(what + ": range [" + offset + ", " + offset + "+" + length + ") of " + r
                    + " is not page-aligned (page size " + pageSize + ")");
        }
    }

    private void ensureOpen(String operation) {
        if (closed) {
            throw new IllegalStateException(operation + ": memory space '" + name + "' is closed");
        }
    }

    IllegalStateException gone(View view) {
        if (closed) {
            return new IllegalStateException("memory space '" + name + "' is closed");
        }
        return new dev.atlas.core.ViewRetiredException(view, "memory space '" + name
                + "' (the view has retired; its mapping was unmapped after the grace period)");
    }

    IllegalStateException inaccessible(View view, Region r, long offset, long length) {
        return new IllegalStateException("range [" + offset + ", " + offset + "+" + length + ") of region '" + r.name()
                + "' is inaccessible (Protection.NONE) in view " + view);
    }

    private MemoryMappingException failure(String what, LinuxException e) {
        String hint = "";
        if (e.errno() == Errno.ENOMEM) {
            hint = "; out of memory or address space, or too many mappings (vm.max_map_count=" + maxMapCount()
                    + ", each view reserves " + capacity + " bytes and maps one range per region piece)";
        }
        return new MemoryMappingException(what + " of memory space '" + name + "' (capacity " + capacity + " bytes, "
                + regions.size() + " regions)" + hint, e);
    }

    /** The kernel's vm.max_map_count, or "?". */
    static String maxMapCount() {
        // read as a stream: Files.readString sizes its buffer by the file's reported size,
        // and for this procfs file returned only the first digit ("6" for 65530)
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/vm/max_map_count"))) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static long roundUp(long v, long page) {
        long r = (v + page - 1) / page * page;
        if (r < v) {
            throw new IllegalArgumentException(v + " bytes cannot be rounded up to whole pages");
        }
        return r;
    }
}
