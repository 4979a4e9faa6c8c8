package dev.atlas.memory;

import dev.atlas.memory.linux.Linux;

import java.lang.foreign.MemorySegment;

/** The mapping call, behind a seam so that tests can inject failures. */
interface Kernel {
    MemorySegment mmap(MemorySegment addr, long length, int prot, int flags, int fd, long offset);

    Kernel LINUX = new Kernel() {
        @Override
        public MemorySegment mmap(MemorySegment addr, long length, int prot, int flags, int fd, long offset) {
            return Linux.mmap(addr, length, prot, flags, fd, offset);
        }
    };
}
