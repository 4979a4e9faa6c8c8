/**
 * Snapshots without {@code fork()}: a consistent, read-only copy of chosen off-heap regions
 * as of one instant, taken while the writers keep running.
 *
 * <p>{@link dev.atlas.memory.snapshot.MemorySnapshot} is the snapshot;
 * {@link dev.atlas.memory.snapshot.SnapshotCut} decides the instant (the <em>cut</em>):
 * with {@link dev.atlas.memory.snapshot.SnapshotCut#quiescent} every writer stops at its
 * next quiescence point (atlas-core), so each writer's operation is wholly in or wholly out
 * of the snapshot. Pages are saved copy-before-write by a native userfaultfd handler
 * ({@code dev.atlas.memory.uffd}); where that is not available, the regions are copied
 * eagerly while the writers are stopped.
 */
package dev.atlas.memory.snapshot;
