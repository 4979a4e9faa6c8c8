/**
 * The Linux system calls behind memory views (memfd_create, ftruncate, mmap, munmap,
 * mprotect, madvise, open, pread, close) as FFM downcalls with errno captured, and
 * {@code /proc/self/pagemap} reading. Low level: whoever maps memory here owns its lifetime
 * and should attach it to an {@link java.lang.foreign.Arena} at once.
 */
package dev.atlas.memory.linux;
