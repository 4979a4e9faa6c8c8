package dev.atlas.memory.uffd;

import java.io.Serial;

/** A userfaultfd operation failed; {@link #errno()} is the kernel's error number (0 if none). */
public final class UserfaultfdException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int errno;

    UserfaultfdException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The errno value, 0 if the failure had none. */
    public int errno() {
        return errno;
    }
}
