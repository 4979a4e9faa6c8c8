package dev.atlas.libc;

import java.util.Map;

/**
 * Names and short descriptions of the Linux {@code errno} values the system calls of Atlas can meet
 * (the same numbers on x86_64 and aarch64). A table, not {@code strerror}, which is not
 * thread-safe.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ENOSYS = 38;
    public static final int EOVERFLOW = 75;
    public static final int EOPNOTSUPP = 95;
    public static final int ETIMEDOUT = 110;

    private record Entry(String name, String text) {}

    private static final Map<Integer, Entry> TABLE = Map.ofEntries(
            Map.entry(EPERM, new Entry("EPERM", "operation not permitted")),
            Map.entry(ENOENT, new Entry("ENOENT", "no such file or directory")),
            Map.entry(ESRCH, new Entry("ESRCH", "no such process")),
            Map.entry(EINTR, new Entry("EINTR", "interrupted system call")),
            Map.entry(EBADF, new Entry("EBADF", "bad file descriptor")),
            Map.entry(EAGAIN, new Entry("EAGAIN", "resource temporarily unavailable")),
            Map.entry(ENOMEM, new Entry("ENOMEM", "out of memory, address space or mappings (vm.max_map_count)")),
            Map.entry(EACCES, new Entry("EACCES", "permission denied")),
            Map.entry(EFAULT, new Entry("EFAULT", "bad address")),
            Map.entry(EBUSY, new Entry("EBUSY", "device or resource busy")),
            Map.entry(EEXIST, new Entry("EEXIST", "file exists")),
            Map.entry(ENODEV, new Entry("ENODEV", "no such device")),
            Map.entry(EINVAL, new Entry("EINVAL", "invalid argument")),
            Map.entry(ENFILE, new Entry("ENFILE", "too many open files in system")),
            Map.entry(EMFILE, new Entry("EMFILE", "too many open files")),
            Map.entry(EFBIG, new Entry("EFBIG", "file too large")),
            Map.entry(ENOSPC, new Entry("ENOSPC", "no space left on device")),
            Map.entry(ENOSYS, new Entry("ENOSYS", "function not implemented")),
            Map.entry(EOVERFLOW, new Entry("EOVERFLOW", "value too large for defined data type")),
            Map.entry(EOPNOTSUPP, new Entry("EOPNOTSUPP", "operation not supported")),
            Map.entry(ETIMEDOUT, new Entry("ETIMEDOUT", "connection timed out")));

    private Errno() {}

    /** The symbolic name, e.g. {@code "ENOMEM"}, or {@code "errno 123"} if not in the table. */
    public static String name(int errno) {
        Entry e = TABLE.get(errno);
        return e == null ? "errno " + errno : e.name();
    }

    /** A short description, e.g. {@code "invalid argument"}. */
    public static String describe(int errno) {
        Entry e = TABLE.get(errno);
        return e == null ? "unknown error" : e.text();
    }
}
