package dev.atlas.memory.snapshot;

/** How a snapshot keeps the contents of the cut. */
public enum SnapshotMethod {
    /** Copy-before-write if userfaultfd is available here, otherwise an eager copy (logged). */
    AUTO,
    /**
     * Write-protect the regions and save each page just before its first write after the
     * cut (a native userfaultfd handler): the writers pause only for the cut itself.
     */
    COPY_BEFORE_WRITE,
    /** Copy every region while the writers are stopped: they pause for the whole copy. */
    EAGER_COPY
}
