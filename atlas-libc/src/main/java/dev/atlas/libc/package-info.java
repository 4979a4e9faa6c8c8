/**
 * The one libc layer of Atlas: linking a libc function as an FFM downcall with
 * {@code errno} captured ({@link dev.atlas.libc.Downcall}), the errno names
 * ({@link dev.atlas.libc.Errno}), the exception a failed call throws
 * ({@link dev.atlas.libc.LinuxException}), and where native calls work and the page size
 * ({@link dev.atlas.libc.Libc}). atlas-memory, atlas-spaces and the agent's JIT window build
 * their system calls on it; it depends on nothing but the JDK, so the agent jar carries it
 * without carrying atlas-memory.
 */
package dev.atlas.libc;
