package dev.atlas.memory.uffd;

/**
 * Whether userfaultfd write-protect tracking works in this process, and if not, why.
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=userfaultfd}
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class Userfaultfd {
    /*
     * Implementation notes.
     *
     * The probe opens a userfaultfd, asks UFFDIO_API for the features and closes it; its
     * result is computed once per process (the answer does not change while it runs, apart
     * from a sysctl an administrator could flip: handlers report such failures themselves).
     */
    /** UFFD_FEATURE_PAGEFAULT_FLAG_WP: write-protect faults. */
    public static final long FEATURE_WP = 1L;
    /** UFFD_FEATURE_WP_UNPOPULATED: write-protect also traps never-touched anonymous pages. */
    public static final long FEATURE_WP_UNPOPULATED = 1L << 13;

    private static final class Holder {
        static final Availability AVAILABILITY = probe();
    }

    private Userfaultfd() {
    }

    /**
     * The answer for this process.
     *
     * @param available whether {@link WriteProtectHandler#open} can be expected to work
     * @param reason    why not (empty when available)
     * @param features  the UFFD_FEATURE_* bits the kernel reports (0 when not available)
     */
    public record Availability(boolean available, String reason, long features) {
    }

    /** Probes once per process: the native library, the system call, the features. */
    public static Availability availability() {
        return Holder.AVAILABILITY;
    }

    private static Availability probe() {
        NativeLibrary lib = NativeLibrary.get();
        if (!lib.loaded()) {
            return new Availability(false, lib.failure, 0);
        }
        long r;
        try {
            r = (long) lib.probe.invokeExact();
        } catch (Throwable t) {
            return new Availability(false, "probing userfaultfd failed: " + t, 0);
        }
        if (r < 0) {
            int errno = (int) -r;
            String hint = errno == 1 || errno == 13
                    ? "; unprivileged userfaultfd needs vm.unprivileged_userfaultfd=1, CAP_SYS_PTRACE, or access to /dev/userfaultfd"
                    : "";
            return new Availability(false, "userfaultfd() failed: " + lib.describeErrno(errno) + hint, 0);
        }
        if ((r & FEATURE_WP) == 0) {
            return new Availability(false, "this kernel's userfaultfd has no write-protect support (features 0x"
                    + Long.toHexString(r) + ")", r);
        }
        return new Availability(true, "", r);
    }
}
