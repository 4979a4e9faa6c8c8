package dev.atlas.memory;

import dev.atlas.core.View;
import dev.atlas.core.ViewRetiredException;
import dev.atlas.core.ViewState;
import dev.atlas.memory.linux.Pagemap;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A copy-on-write speculative view (seed 004): run in {@link #view()}, then
 * {@link #commit()} the pages it wrote back into its parent, or {@link #discard()} them.
 * Either way the speculative view is then retired (its mapping goes after its grace period).
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=speculation}
 *
 * <p>What is committed: exactly the pages the view wrote (found in {@code /proc/self/pagemap}:
 * in a private file mapping a written page is anonymous), whole pages, copied into the
 * parent's mapping of the region (the shared memory file when the parent shares it). A page
 * the view wrote replaces the parent's page, including bytes of it the view did not change:
 * stores other views made to that page after the view first wrote it are overwritten.
 * Commit when no thread writes through the view any more; stores made during the commit may
 * or may not be committed.
 *
 * <p>Thread safety: {@code commit} and {@code discard} may be called from any thread; only
 * the first call of either does anything, the others throw {@link IllegalStateException}.
 */
public final class Speculation {
    /** What a commit or discard did: the pages the view had written, and their bytes. */
    public record Result(long pages, long bytes) {}

    private final MemorySpace space;
    private final View parent;
    private final View view;
    private final List<Region> regions;
    private final AtomicBoolean done = new AtomicBoolean();

    Speculation(MemorySpace space, View parent, View view, List<Region> regions) {
        this.space = space;
        this.parent = parent;
        this.view = view;
        this.regions = regions;
    }

    /** The speculative view: bind or migrate threads to it, or use {@code memory.segment(view, r)}. */
    public View view() {
        return view;
    }

    /** The view the speculation commits into. */
    public View parent() {
        return parent;
    }

    /** The regions the speculation diverges. */
    public List<Region> regions() {
        return regions;
    }

    /** Pages the view has written so far, over all its regions. */
    public long writtenPages() {
        long n = 0;
        Mapping m = space.mappingOf(view);
        for (Region r : regions) {
            n += Pagemap.privatePages(checkAlive(m).state(r).raw()).cardinality();
        }
        return n;
    }

    /**
     * Copies every page the view wrote into the parent's mapping, then retires the view.
     *
     * @throws IllegalStateException if already committed or discarded, or the parent or the
     *                               view has retired (nothing is copied then)
     */
    public Result commit() {
        if (parent.state() == ViewState.RETIRED) {
            throw new IllegalStateException("cannot commit " + view + ": its parent " + parent + " has retired");
        }
        Mapping from = checkAlive(space.mappingOf(view));
        Mapping to = checkAlive(space.mappingOf(parent));
        claim("commit");
        long page = space.pageSize();
        long pages = 0;
        for (Region r : regions) {
            MemorySegment src = from.state(r).raw();
            MemorySegment dst = to.state(r).raw();
            BitSet written = Pagemap.privatePages(src);
            for (int i = written.nextSetBit(0); i >= 0; i = written.nextSetBit(i + 1)) {
                MemorySegment.copy(src, (long) i * page, dst, (long) i * page, page);
            }
            pages += written.cardinality();
        }
        retire();
        return new Result(pages, pages * page);
    }

    /**
     * Drops the view's writes: retires the view (its private pages go with its mapping,
     * after the grace period). The parent never sees them.
     *
     * @throws IllegalStateException if already committed or discarded
     */
    public Result discard() {
        claim("discard");
        long pages = 0;
        Mapping m = space.mappingOf(view);
        if (m.isAlive()) {
            for (Region r : regions) {
                pages += Pagemap.privatePages(m.state(r).raw()).cardinality();
            }
        }
        retire();
        return new Result(pages, pages * space.pageSize());
    }

    private void claim(String what) {
        if (!done.compareAndSet(false, true)) {
            throw new IllegalStateException(what + ": speculation " + view + " was already committed or discarded");
        }
    }

    private Mapping checkAlive(Mapping m) {
        if (!m.isAlive()) {
            throw space.gone(view);
        }
        return m;
    }

    private void retire() {
        try {
            view.retire();
        } catch (ViewRetiredException alreadyRetiring) {
            // someone retired it directly: nothing left to do
        }
    }

    @Override
    public String toString() {
        return "Speculation[" + view + " of " + parent + ", regions " + regions.stream().map(Region::name).toList() + "]";
    }
}
