package dev.atlas.memory.snapshot;

/**
 * How a snapshot is taken: {@link CopyBeforeWriteStrategy} (userfaultfd write-protect: the
 * writers pause only for the cut) or {@link EagerCopyStrategy} (the whole copy inside the
 * cut). {@link MemorySnapshot.Builder#take()} chooses one.
 *
 * <p>Both are all-or-nothing: {@link #take} returns a snapshot that owns what it set up, or
 * releases it all before throwing.
 */
sealed interface SnapshotStrategy permits CopyBeforeWriteStrategy, EagerCopyStrategy {

    /**
     * @param fallbackReason why an eager copy was taken instead of copy-before-write, or null
     * @throws MemorySnapshot.FallBack if userfaultfd refuses this snapshot for a reason an
     *                                 eager copy does not have (copy-before-write only)
     */
    MemorySnapshot take(SnapshotPlan plan, long id, String fallbackReason) throws MemorySnapshot.FallBack;
}
