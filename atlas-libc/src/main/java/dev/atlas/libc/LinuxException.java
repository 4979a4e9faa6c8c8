package dev.atlas.libc;

/**
 * A Linux system call failed: carries the call with its arguments, and {@code errno} with
 * its name.
 *
 * {@snippet class=dev.atlas.libc.snippets.LibcSnippets region=linux-exception}
 */
public class LinuxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String call;

    public LinuxException(String call, int errno) {
        super(call + " failed: " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    /** The {@code errno} value the call left. */
    public int errno() {
        return errno;
    }

    /** The symbolic name of {@link #errno()}, e.g. {@code "ENOMEM"}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** The call with its arguments, e.g. {@code "mprotect(addr=0x7f.., len=4096, prot=PROT_READ)"}. */
    public String call() {
        return call;
    }
}
