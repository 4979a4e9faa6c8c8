package dev.atlas.memory.snapshot;

import dev.atlas.memory.MappedRange;
import dev.atlas.memory.MappingListener;
import dev.atlas.memory.MemorySpace;
import dev.atlas.memory.Region;
import dev.atlas.libc.Errno;
import dev.atlas.memory.FreezeMode;
import dev.atlas.memory.FreezeRequest;
import dev.atlas.memory.uffd.Userfaultfd;
import dev.atlas.memory.uffd.UserfaultfdException;
import dev.atlas.memory.uffd.WriteProtectHandler;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * The <em>frozen</em> divergence of memory views: the view sees a range as it was when
 * the view was prepared, plus its own stores, and never later stores of other views,
 * without copying the range.
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=frozen-view}
 *
 * <p>How: the view's range is mapped {@code MAP_PRIVATE} from the memory file by the memory
 * space. Every other mapping of the region is write-protected through userfaultfd; before a
 * page is first written through any of them, the native handler makes the view's page
 * private (a locked add of zero to it: the kernel copies the current contents on write),
 * then lets the write go. So the view's page keeps the contents of the moment of
 * divergence; its own stores copy-on-write as usual. Only written pages are ever copied.
 * Views mapped later are protected as they are mapped (a mapping listener), before any
 * thread can use them.
 *
 * <p>The instant: by default ({@link SnapshotCut#unsynchronized()}) each page is as of a
 * moment during preparation (concurrent writers' operations may be torn across pages);
 * with {@link #create(SnapshotCut)} and a quiescent cut, an instant between operations of
 * every writer. The cut runs under the memory space's lock: writers must not configure
 * views while they are being stopped.
 *
 * <p>Limits: stores that reach the memory file other than through the space's mappings
 * ({@code write(2)}, other processes) are not seen by the protection; one snapshot (this or
 * a {@link MemorySnapshot}) per mapping at a time (a second one is refused); needs the
 * native handler and userfaultfd (otherwise {@code configure} fails with an
 * {@link UnsupportedOperationException} saying why).
 *
 * <p>Thread safety: one instance may serve any number of views; each install is independent.
 */
public final class CopyBeforeWriteDivergence implements FreezeMode {
    /*
     * Implementation notes.
     *
     * One WriteProtectHandler per installed range, whose single region has the view's range
     * as target. Invariant (see atlas_uffd.c): after the cut, a page whose saved bit is 0
     * is write-protected in every registered mapping, so the shared page - which the view's
     * MAP_PRIVATE mapping shows until its page is private - still holds the cut contents.
     * A mapping announced later is registered and protected before it is added (the view
     * it belongs to is still preparing: nobody can write through it yet); a mapping about
     * to go is unregistered first. The handle's release removes the listener, then closes
     * the handler (un-protect, unregister, stop the thread, close the fd).
     */
    private static final int MAX_MAPPINGS = 1024;
    private final SnapshotCut cut;

    private CopyBeforeWriteDivergence(SnapshotCut cut) {
        this.cut = cut;
    }

    /** Snapshots as of preparation, page by page ({@link SnapshotCut#unsynchronized()}). */
    public static CopyBeforeWriteDivergence create() {
        return new CopyBeforeWriteDivergence(SnapshotCut.unsynchronized());
    }

    /** Snapshots as of {@code cut}. */
    public static CopyBeforeWriteDivergence create(SnapshotCut cut) {
        return new CopyBeforeWriteDivergence(Objects.requireNonNull(cut, "cut"));
    }

    @Override
    public Handle install(FreezeRequest request) {
        Userfaultfd.Availability a = Userfaultfd.availability();
        if (!a.available()) {
            throw new UnsupportedOperationException("frozen divergence of " + request.region() + " in view "
                    + request.view().name() + " needs userfaultfd write-protect: " + a.reason());
        }
        MemorySpace space = request.space();
        Region region = request.region();
        long offset = request.offset();
        long length = request.length();
        WriteProtectHandler h = WriteProtectHandler.open(1, MAX_MAPPINGS, 1);
        MappingListener listener = null;
        try {
            h.declareRegion(0, length / 4096, request.target());
            for (MappedRange r : space.mappedRanges(region)) {
                if (r.view() != request.view()) {
                    register(h, r, offset, length, false);
                }
            }
            listener = new MappingListener() {
                @Override
                public void mapped(MappedRange r) {
                    if (r.region().equals(region) && r.view() != request.view()) {
                        register(h, r, offset, length, true);
                    }
                }

                @Override
                public void unmapping(MappedRange r) {
                    if (r.region().equals(region) && r.view() != request.view()) {
                        h.unregister(r.segment().asSlice(offset, length));
                    }
                }
            };
            space.addMappingListener(listener);
            Arming.armAndCut(h, 3, cut);
            MappingListener installed = listener;
            return () -> {
                space.removeMappingListener(installed);
                h.close();
            };
        } catch (RuntimeException | Error e) {
            if (listener != null) {
                space.removeMappingListener(listener);
            }
            try {
                h.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void register(WriteProtectHandler h, MappedRange r, long offset, long length, boolean live) {
        MemorySegment slice = r.segment().asSlice(offset, length);
        try {
            if (live) {
                h.registerLive(0, slice);
            } else {
                h.register(0, slice);
            }
        } catch (UserfaultfdException e) {
            String who = r.view() == null ? "the base mapping" : "view " + r.view().name();
            if (e.errno() == Errno.EBUSY) {
                throw new IllegalStateException("cannot snapshot " + r.region() + ": its mapping in " + who
                        + " is already tracked by another snapshot; release that first", e);
            }
            throw new IllegalStateException("cannot write-protect " + r.region() + " in " + who + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "CopyBeforeWriteDivergence(" + cut + ")";
    }
}
