package dev.atlas.memory;

import dev.atlas.libc.LinuxException;

/**
 * Mapping a view failed in the kernel: out of memory or address space, or too many
 * mappings ({@code vm.max_map_count}); the message names the view, space and sizes, the
 * cause the system call. Nothing was left mapped.
 */
public class MemoryMappingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MemoryMappingException(String message, LinuxException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }

    /** The errno of the failed call. */
    public int errno() {
        return ((LinuxException) getCause()).errno();
    }
}
