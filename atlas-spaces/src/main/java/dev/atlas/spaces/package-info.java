/**
 * Named address spaces shared by several JVMs on one host (SpaceJMP): a
 * {@link dev.atlas.spaces.SpaceDirectory} creates, attaches, lists and deletes spaces by
 * name; a {@link dev.atlas.spaces.SharedSpace} is one attached, its segment mapped at the
 * same virtual address in every FIXED attacher so that absolute pointers stored inside stay
 * valid; {@link dev.atlas.spaces.CurrentSpace} switches a thread's current space in a scope.
 * Subpackages: {@code format} (header, crash-consistent metadata), {@code heap} (the
 * lock-free cross-process allocator), {@code sync} (the robust futex lock), {@code sys}
 * (system calls through FFM).
 */
package dev.atlas.spaces;
