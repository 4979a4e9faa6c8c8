/**
 * userfaultfd write-protect tracking, handled by a native thread: the building block of
 * copy-before-write snapshots ({@code dev.atlas.memory.snapshot}) and of the snapshot
 * divergence mode of memory views.
 *
 * <p>{@link dev.atlas.memory.uffd.Userfaultfd#availability()} says whether the native
 * handler and the kernel feature are usable here, and if not, why;
 * {@link dev.atlas.memory.uffd.WriteProtectHandler} is one userfaultfd with its handler
 * thread, its regions and the mappings that write to them.
 *
 * <p>The fault handler is a pthread of the bundled library {@code libatlasuffd.so}, never a
 * JVM thread: a JVM thread handling write faults deadlocks the process at the next
 * safepoint (the faulting writer is stuck in the kernel, the JVM waits for it, the
 * handler waits for the JVM).
 */
package dev.atlas.memory.uffd;
