package dev.atlas.memory;

/**
 * Extension point for {@linkplain Divergence#frozen(FreezeMode) frozen divergence},
 * implemented outside this package (userfaultfd write-protect in
 * {@code dev.atlas.memory.snapshot}).
 *
 * <p>The memory space calls {@link #install} while the target view is still PREPARING,
 * after it has mapped the range in the view {@code MAP_PRIVATE|MAP_FIXED} from the memory
 * file (exactly like an {@link Divergence#OVERLAY overlay}); the mode may remap it. The
 * other views' mappings of the same region are in {@link MemorySpace#mappedRanges(Region)},
 * and views mapped later are announced to {@link MemorySpace#addMappingListener}. The
 * returned handle is released once, before the view's mapping is unmapped (after its grace
 * period), or at once if preparing the view fails.
 */
public interface FreezeMode {

    /**
     * Makes {@code request.target()} show the range as it is now, plus the target view's own
     * stores. Called under the memory space's lock, on the preparing thread.
     *
     * @throws RuntimeException to refuse; the view's mapping is then undone and the exception
     *                          propagates to the caller of {@link MemorySpace#configure}
     */
    Handle install(FreezeRequest request);

    /** What an installed freeze holds; released exactly once. */
    interface Handle {
        void release();
    }
}
