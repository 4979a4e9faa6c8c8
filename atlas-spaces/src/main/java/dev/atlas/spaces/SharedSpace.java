package dev.atlas.spaces;

import dev.atlas.spaces.format.SpaceHeader;
import dev.atlas.spaces.format.SpaceMetadata;
import dev.atlas.spaces.heap.SegmentWords;
import dev.atlas.spaces.heap.SharedHeap;
import dev.atlas.spaces.sync.RobustLock;
import dev.atlas.spaces.sys.SpaceSyscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A space attached to this process: its main segment mapped (at the same address as in
 * every other FIXED attacher), its allocator, its named roots and its lock. Obtained from
 * {@link SpaceDirectory#create} or {@link SpaceDirectory#attach}; {@link #close()} detaches.
 *
 * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=shared-space}
 *
 * <p><b>Addresses.</b> Pointers stored in a space are <em>canonical</em> addresses: the
 * virtual address in a FIXED attachment, valid as they are in every process. A RELOC
 * attachment ({@link AttachOptions#allowReloc()}) translates them by a constant distance
 * ({@link #offsetOf}); all access goes through the bounds-checked segment, so a damaged
 * pointer throws {@link IndexOutOfBoundsException} rather than touching other memory.
 *
 * <p>Threading contract: any thread. {@link #close()} unmaps through a shared arena: an
 * access racing it throws {@link IllegalStateException}, never faults.
 */
public final class SharedSpace implements AutoCloseable {
    private final String name;
    private final Arena arena;
    private final SpaceHeader header;
    private final MemorySegment segment;
    private final long canonicalBase;
    private final boolean readOnly;
    private final SharedHeap heap;
    /** Made on first use (a space that never takes its lock never looks up the JVM's in-process lock). */
    private volatile RobustLock lock;
    private final int attachSlot;
    /**
     * The space file, open for the attachment's lifetime, or -1: the creator's attachment
     * keeps it to leave the attached table with a {@code pwrite} (it registered with one, and
     * may never have touched its mapping).
     */
    private final int fd;
    /** Set by the one {@link #close()} that detaches (two racing closers must not both close {@link #fd}). */
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    private final long spaceId;

    SharedSpace(String name, long spaceId, Arena arena, SpaceHeader header, MemorySegment segment, long canonicalBase,
                boolean readOnly, int attachSlot, int fd, SharedHeap heap) {
        this.fd = fd;
        this.name = name;
        this.arena = arena;
        this.header = header;
        this.segment = segment;
        this.canonicalBase = canonicalBase;
        this.readOnly = readOnly;
        this.attachSlot = attachSlot;
        this.spaceId = spaceId;
        this.heap = heap != null ? heap : SharedHeap.open(new SegmentWords(segment));
    }

    public String name() {
        return name;
    }

    /** The main segment as mapped here (read-only for a read-only attachment). */
    public MemorySegment segment() {
        return segment;
    }

    /** True if mapped somewhere else than the segment's fixed address (RELOC). */
    public boolean relocated() {
        return segment.address() != canonicalBase;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** The newest metadata (segments, roots, owner, mode). */
    public SpaceMetadata metadata() {
        return header.read();
    }

    /** The byte offset in {@link #segment()} of a canonical address, bounds-checked. */
    public long offsetOf(long address) {
        long off = address - canonicalBase;
        if (off < 0 || off >= segment.byteSize()) {
            throw new IndexOutOfBoundsException("address 0x" + Long.toHexString(address) + " is not inside space '" + name
                    + "' (segment 0x" + Long.toHexString(canonicalBase) + "+" + segment.byteSize() + ")");
        }
        return off;
    }

    /** The canonical address of a byte offset in {@link #segment()}. */
    public long addressOf(long offset) {
        return canonicalBase + offset;
    }

    /**
     * Allocates {@code size} bytes in the segment, from any process at once.
     *
     * @return the block's canonical address
     * @throws dev.atlas.spaces.heap.HeapExhaustedException if the segment is full
     */
    public long allocate(long size) {
        requireWritable("allocate");
        return addressOf(heap.allocate(size));
    }

    /** Frees a block {@link #allocate} returned. */
    public void free(long address) {
        requireWritable("free");
        heap.free(offsetOf(address));
    }

    /** The segment's allocator (for checks and statistics). */
    public SharedHeap heap() {
        return heap;
    }

    /**
     * Sets (or, with address 0, removes) a named root, crash-consistently.
     *
     * @throws SpaceException READ_ONLY on a read-only attachment
     */
    public void setRoot(String rootName, String type, long address) {
        requireWritable("setRoot(\"" + rootName + "\")");
        if (address != 0) offsetOf(address);
        try (RobustLock.Held held = spaceLock().lock()) {
            SpaceMetadata m = header.read();
            header.update(m.withRoot(rootName, address == 0 ? null : new SpaceMetadata.Root(type, address)));
        }
    }

    /**
     * The canonical address of root {@code rootName}, checking its type.
     *
     * @throws SpaceException ROOT naming the root, if missing or of another type
     */
    public long root(String rootName, String type) {
        SpaceMetadata.Root r = header.read().roots().get(rootName);
        if (r == null) {
            throw new SpaceException(SpaceException.Reason.ROOT, "space '" + name + "' has no root '" + rootName
                    + "' (roots: " + header.read().roots().keySet() + ")");
        }
        if (!r.type().equals(type)) {
            throw new SpaceException(SpaceException.Reason.ROOT, "root '" + rootName + "' of space '" + name
                    + "' has type '" + r.type() + "', expected '" + type + "'");
        }
        return r.address();
    }

    /** The space's robust cross-process lock (for metadata and application use). */
    public RobustLock lock() {
        requireWritable("lock");
        return spaceLock();
    }

    /**
     * The space's lock, made on first use. Two threads racing here may each make one; both
     * share the JVM's one in-process lock for the space (its identity is the space id and
     * -1), so either serves.
     */
    private RobustLock spaceLock() {
        RobustLock l = lock;
        if (l == null) {
            l = new RobustLock(header.lockMemory(), spaceId, -1, "space " + name);
            lock = l;
        }
        return l;
    }

    /**
     * A robust lock stored in the segment at a canonical address ({@link RobustLock#LAYOUT}
     * bytes). Every {@code RobustLock} of this JVM at the same address of this space, from any
     * attachment, shares one in-process lock.
     */
    public RobustLock lockAt(long address) {
        requireWritable("lockAt");
        long off = offsetOf(address);
        return new RobustLock(segment.asSlice(off, RobustLock.LAYOUT.byteSize()), spaceId, address,
                "lock at 0x" + Long.toHexString(address) + " of space " + name);
    }

    /** @throws SpaceException READ_ONLY naming the operation, on a read-only attachment */
    public void requireWritable(String operation) {
        if (readOnly) {
            throw new SpaceException(SpaceException.Reason.READ_ONLY, operation + " on space '" + name
                    + "' attached read-only; attach with AttachOptions.READ_WRITE to write");
        }
    }

    /**
     * Detaches: leaves the attached-process table and unmaps the space. Idempotent; of several
     * threads closing at once, one detaches and the others return.
     *
     * <p>Implementation notes: an attachment that registered through its mapping (a CAS of
     * its pid into a free slot) leaves by a CAS back to 0; the creator's attachment, which
     * registered in the header image it wrote with {@code pwrite}, leaves by a one-byte
     * {@code pwrite} of {@link SpaceHeader#DETACH_MARK} to its slot through the file it kept
     * open ({@link SpaceHeader#detachMarkOffset}), then closes it: a space created and
     * detached without use never touches its mapping.
     */
    @Override
    public void close() {
        if (!arena.scope().isAlive() || !closing.compareAndSet(false, true)) return;   // one closer: fd closed once
        try {
            if (attachSlot >= 0 && fd >= 0) {
                SpaceSyscalls.pwriteByte(fd, SpaceHeader.DETACH_MARK, SpaceHeader.detachMarkOffset(attachSlot));
            } else if (attachSlot >= 0) {
                VarHandle h = JAVA_LONG.varHandle();
                h.compareAndSet(header.attachedTable(), attachSlot * 8L, ProcessHandle.current().pid(), 0L);
            }
        } finally {
            arena.close();
            if (fd >= 0) SpaceSyscalls.closeQuietly(fd);
        }
    }
}
