package dev.atlas.memory;

import java.util.Objects;

/**
 * How a view's range of a region departs from the shared pages every other view sees.
 * A range with no divergence is <em>shared</em>: the same physical pages in every view, so
 * a store through one view is visible through all, at once, with no copy.
 *
 * <dl>
 *   <dt>{@link #OVERLAY} (copy-on-write overlay, cheap)</dt>
 *   <dd>The view maps the range {@code MAP_PRIVATE}. A page the view has not written
 *       (even one it has read) still shows every later store made through other views. The
 *       first store of the view to a page copies it: from then on the view sees its own copy
 *       of that page only, and its stores are invisible to every other view. Diverging costs
 *       one {@code mmap}, never a copy of the range.</dd>
 *   <dt>{@linkplain #frozen(FreezeMode) frozen}</dt>
 *   <dd>The view sees the range as it was when the view was prepared, plus its own stores;
 *       never later stores of other views. Implemented by a {@link FreezeMode} (userfaultfd
 *       write-protect, in {@code dev.atlas.memory.snapshot}).</dd>
 * </dl>
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=divergence}
 */
public sealed interface Divergence permits Divergence.Overlay, Divergence.Frozen {

    /** Copy-on-write overlay of the shared pages ({@code MAP_PRIVATE|MAP_FIXED}). */
    Divergence OVERLAY = Overlay.INSTANCE;

    /** The range frozen as of the view's preparation (plus the view's own stores), provided by {@code mode}. */
    static Divergence frozen(FreezeMode mode) {
        return new Frozen(mode);
    }

    /** See {@link #OVERLAY}. */
    enum Overlay implements Divergence {
        INSTANCE;

        @Override
        public String toString() {
            return "OVERLAY";
        }
    }

    /** See {@link #frozen(FreezeMode)}. */
    record Frozen(FreezeMode mode) implements Divergence {
        public Frozen {
            Objects.requireNonNull(mode, "mode");
        }

        @Override
        public String toString() {
            return "FROZEN(" + mode + ")";
        }
    }
}
