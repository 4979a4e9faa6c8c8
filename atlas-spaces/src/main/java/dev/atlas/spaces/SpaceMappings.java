package dev.atlas.spaces;

import dev.atlas.libc.Errno;
import dev.atlas.libc.LinuxException;
import dev.atlas.memory.linux.Linux;
import dev.atlas.spaces.format.SpaceHeader;
import dev.atlas.spaces.format.SpaceMetadata;
import dev.atlas.spaces.sys.SpaceSyscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;

/**
 * How {@link SpaceDirectory} maps a space file (header and segment in one mapping): at a fixed address that must not replace
 * an existing mapping ({@code mmap(MAP_SHARED | MAP_FIXED_NOREPLACE)} through FFM), or
 * wherever the kernel chooses, through the JDK's {@code FileChannel.map} (no native function
 * linked). Every mapping belongs to an arena, which unmaps it.
 *
 * <p>Threading contract: stateless; any thread.
 */
final class SpaceMappings {
    private SpaceMappings() {}

    @SuppressWarnings("restricted")   // reinterpret: the mapping's true size, unmapped by the arena
    static MemorySegment map(int fd, long size, boolean readOnly, long base, Arena arena) {
        int prot = readOnly ? Linux.PROT_READ : Linux.PROT_READ | Linux.PROT_WRITE;
        long at = SpaceSyscalls.mmap(base, size, prot,
                Linux.MAP_SHARED | (base != 0 ? SpaceSyscalls.MAP_FIXED_NOREPLACE : 0), fd);
        if (base != 0 && at != base) {   // a kernel before 4.17 took the flag as a hint
            Linux.munmapQuietly(MemorySegment.ofAddress(at).reinterpret(size));
            return null;
        }
        // one reinterpret (each is a restricted method whose caller check may walk the stack)
        return MemorySegment.ofAddress(at).reinterpret(size, arena, Linux::munmapQuietly);
    }

    /**
     * Maps the whole space file open as {@code fd} so that segment {@code main} is at its fixed
     * address (the header right below it), or, if that range is taken and the options allow
     * it, anywhere.
     *
     * @throws SpaceException ADDRESS_TAKEN naming the range; DAMAGED if the kernel refuses the
     *                        address the header records for another reason than its being taken
     */
    static MemorySegment mapFixed(String name, int fd, long fileSize, SpaceMetadata.Segment main, AttachOptions options,
                                  Arena arena) {
        long at = SpaceHeader.mappingAddress(main.base());
        MemorySegment mapping;
        try {
            mapping = mapAt(fd, fileSize, options.readOnly(), at, arena);
        } catch (LinuxException e) {
            throw new SpaceException(SpaceException.Reason.DAMAGED, "space '" + name + "': segment '" + main.name()
                    + "' cannot be mapped at 0x" + Long.toHexString(main.base()) + " (" + main.size() + " bytes): "
                    + e.getMessage(), e);
        }
        if (mapping == null) {
            if (!options.allowReloc()) {
                throw new SpaceException(SpaceException.Reason.ADDRESS_TAKEN, "segment '" + main.name()
                        + "' of space '" + name + "' belongs at 0x" + Long.toHexString(main.base()) + " ("
                        + main.size() + " bytes, its header below it from 0x" + Long.toHexString(at)
                        + "), which is already mapped in this process; attach with"
                        + " AttachOptions.withReloc() to map it elsewhere with translated pointers");
            }
            mapping = map(fd, fileSize, options.readOnly(), 0, arena);
        }
        return mapping;
    }

    /** Maps at {@code base} with MAP_FIXED_NOREPLACE; null if the range is taken. */
    static MemorySegment mapAt(int fd, long size, boolean readOnly, long base, Arena arena) {
        try {
            return map(fd, size, readOnly, base, arena);
        } catch (LinuxException e) {
            if (e.errno() == Errno.EEXIST) return null;
            throw e;
        }
    }
}
