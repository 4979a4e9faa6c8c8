/**
 * Memory views: off-heap regions shared, privately diverged (copy-on-write overlay or
 * frozen) or re-protected per view, on real virtual memory (one memfd, one mapping per
 * view; Linux only). Start at {@link dev.atlas.memory.MemorySpace}.
 *
 * <p>Packages: {@code dev.atlas.memory} (spaces, regions, view memory, speculation),
 * {@code dev.atlas.memory.linux} (system calls), {@code dev.atlas.memory.snapshot} and
 * {@code dev.atlas.memory.uffd} (memory snapshots and the
 * userfaultfd {@link dev.atlas.memory.FreezeMode}).
 */
package dev.atlas.memory;
