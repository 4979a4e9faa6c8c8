/**
 * Memory views: off-heap regions shared, privately diverged (copy-on-write overlay or
 * snapshot) or re-protected per view, on real virtual memory (one memfd, one mapping per
 * view; Linux only). Start at {@link dev.atlas.memory.MemorySpace}.
 *
 * <p>Packages: {@code dev.atlas.memory} (spaces, regions, view memory, speculation),
 * {@code dev.atlas.memory.linux} (system calls), {@code dev.atlas.memory.snapshot} and
 * {@code dev.atlas.memory.uffd} (userfaultfd snapshots, implementing
 * {@link dev.atlas.memory.SnapshotMode}).
 */
package dev.atlas.memory;
