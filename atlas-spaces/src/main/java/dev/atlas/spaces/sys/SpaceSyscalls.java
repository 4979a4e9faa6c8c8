package dev.atlas.spaces.sys;

import dev.atlas.libc.Downcall;
import dev.atlas.libc.Errno;
import dev.atlas.memory.linux.Linux;
import dev.atlas.libc.LinuxException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The system calls of spaces: creating a file exclusively with a mode, opening, sizing,
 * mapping, reading and writing a space file, the directory's {@code flock}, futexes on shared
 * memory, process liveness and user ids. FFM downcalls into libc, {@code errno} captured;
 * failures throw {@link LinuxException} naming the call. ({@link Linux} has calls of the same
 * names for atlas-memory; these allocate nothing per call, which create's cost depends on.)
 *
 * {@snippet class=dev.atlas.spaces.snippets.SpacesSnippets region=syscalls}
 *
 * <p>Thread safety: all methods may be called from any thread. Linux only (x86_64,
 * aarch64); elsewhere {@link Linux#requireSupported()} throws.
 *
 * <p>Implementation notes: every call passes the {@code errno} capture state and, for a
 * path, its C string in the calling thread's {@link Scratch} (native memory made once per
 * thread), so a call allocates no arena and no native memory; each function's downcall
 * handle is linked once per JVM, on its first call ({@link Downcall}). {@code errno} is read
 * at its offset in the capture state, not through a layout var handle.
 */
public final class SpaceSyscalls {
    /** {@code MAP_FIXED_NOREPLACE} (Linux 4.17+): map at the address or fail with EEXIST. */
    public static final int MAP_FIXED_NOREPLACE = 0x100000;

    private static final int O_CREAT = 0x40;
    private static final int O_EXCL = 0x80;
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;

    private SpaceSyscalls() {}

    /**
     * open(path, O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, mode), then fchmod(fd, mode) if the
     * process's umask removes any bit of {@code mode}: the file's mode is exactly
     * {@code mode} whatever the umask, and the common case (a umask that removes none of the
     * requested bits, e.g. 022 and 0600) is one system call.
     *
     * <p>Implementation notes: the umask is read once, from the {@code Umask:} line of
     * {@code /proc/self/status} (Linux 4.7+; without it every call takes the fchmod). Java has
     * no call that changes the umask; native code that narrows it later leaves a file created
     * here with fewer bits than {@code mode} (never more).
     *
     * @throws LinuxException with EEXIST if the file exists
     */
    public static int createExclusive(String path, int mode) {
        int fd = open(path, Linux.O_RDWR | O_CREAT | O_EXCL | Linux.O_CLOEXEC, mode);
        if ((mode & Ids.UMASK) == 0) {
            return fd;   // open gave the file exactly `mode`
        }
        try {
            MemorySegment state = Scratch.current().state;
            int r = (int) Calls.FCHMOD.handle().invokeExact(state, fd, mode);
            if (r < 0) {
                int e = Downcall.errno(state);
                close(fd);
                throw new LinuxException("fchmod(fd=" + fd + ", 0" + Integer.toOctalString(mode) + ")", e);
            }
            return fd;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * open(path, flags, mode): {@code mode} applies when {@code flags} create the file (less
     * the umask); 0 otherwise.
     *
     * @throws LinuxException naming the call and the errno (ENOENT, EEXIST, EACCES, ...)
     */
    public static int open(String path, int flags, int mode) {
        try {
            Scratch scratch = Scratch.current();
            MemorySegment state = scratch.state;
            int r = (int) Calls.OPEN.handle().invokeExact(state, scratch.cString(path), flags, mode);
            if (r < 0) {
                throw new LinuxException("open(\"" + path + "\", flags=0x" + Integer.toHexString(flags)
                        + (mode != 0 ? ", mode=0" + Integer.toOctalString(mode) : "") + ")", Downcall.errno(state));
            }
            return r;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** close(fd), retried on nothing (Linux closes the descriptor even when it reports EINTR). */
    public static void close(int fd) {
        try {
            MemorySegment state = Scratch.current().state;
            int r = (int) Calls.CLOSE.handle().invokeExact(state, fd);
            if (r < 0) throw new LinuxException("close(fd=" + fd + ")", Downcall.errno(state));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@link #close}, logging instead of throwing (cleanup paths). */
    public static void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (RuntimeException e) {
            System.getLogger("dev.atlas.spaces").log(System.Logger.Level.ERROR, "close failed", e);
        }
    }

    /** ftruncate(fd, length). */
    public static void ftruncate(int fd, long length) {
        try {
            MemorySegment state = Scratch.current().state;
            int r = (int) Calls.FTRUNCATE.handle().invokeExact(state, fd, length);
            if (r < 0) throw new LinuxException("ftruncate(fd=" + fd + ", length=" + length + ")", Downcall.errno(state));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * mmap(addr, length, prot, flags, fd, 0).
     *
     * @return the address of the mapping (with {@link #MAP_FIXED_NOREPLACE}: {@code addr},
     *         unless a kernel before 4.17 took the flag as a hint)
     * @throws LinuxException naming the call; EEXIST when {@link #MAP_FIXED_NOREPLACE} finds the range taken
     */
    public static long mmap(long addr, long length, int prot, int flags, int fd) {
        try {
            MemorySegment state = Scratch.current().state;
            MemorySegment r = (MemorySegment) Calls.MMAP.handle().invokeExact(state, MemorySegment.ofAddress(addr),
                    length, prot, flags, fd, 0L);
            if (r.address() == -1L) {
                throw new LinuxException("mmap(addr=0x" + Long.toHexString(addr) + ", length=" + length + ", prot="
                        + Linux.protName(prot) + ", flags=0x" + Integer.toHexString(flags) + ", fd=" + fd + ")",
                        Downcall.errno(state));
            }
            return r.address();
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * pread(fd, buffer, buffer.byteSize(), offset), retried on EINTR.
     *
     * @return the number of bytes read (fewer at the end of the file)
     */
    public static long pread(int fd, MemorySegment buffer, long offset) {
        try {
            MemorySegment state = Scratch.current().state;
            while (true) {
                long r = (long) Calls.PREAD.handle().invokeExact(state, fd, buffer, buffer.byteSize(), offset);
                if (r >= 0) return r;
                int e = Downcall.errno(state);
                if (e != Errno.EINTR) {
                    throw new LinuxException("pread(fd=" + fd + ", count=" + buffer.byteSize() + ", offset=" + offset
                            + ")", e);
                }
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * pwrite(fd, buffer, buffer.byteSize(), offset), repeated until every byte is written: the
     * file grows to at least {@code offset + buffer.byteSize()}. Writing a new file's first
     * pages this way lets the kernel allocate them without a page fault in this process.
     *
     * @throws LinuxException naming the call (ENOSPC when the file system is full)
     */
    public static void pwriteFully(int fd, MemorySegment buffer, long offset) {
        try {
            MemorySegment state = Scratch.current().state;
            for (long done = 0; done < buffer.byteSize(); ) {
                long r = (long) Calls.PWRITE.handle().invokeExact(state, fd, buffer.asSlice(done), buffer.byteSize() - done,
                        offset + done);
                if (r <= 0) {
                    int e = r == 0 ? Errno.ENOSPC : Downcall.errno(state);
                    if (e == Errno.EINTR) continue;
                    throw new LinuxException("pwrite(fd=" + fd + ", count=" + (buffer.byteSize() - done) + ", offset="
                            + (offset + done) + ")", e);
                }
                done += r;
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * flock(fd, LOCK_EX): waits until this open file description holds the exclusive lock of
     * the file (a directory too). Released by closing {@code fd}, or by the kernel when the
     * process dies. Each {@code open} is its own holder, so two threads of one process that
     * open the file each exclude each other as two processes do.
     *
     * @throws LinuxException naming the call
     */
    public static void lockExclusive(int fd) {
        flock(fd, LOCK_EX);
    }

    /**
     * flock(fd, LOCK_SH): waits until this open file description holds a shared lock of the
     * file: any number of shared holders at once, none while an exclusive one holds it
     * ({@link #lockExclusive}). Released as the exclusive lock is.
     *
     * @throws LinuxException naming the call
     */
    public static void lockShared(int fd) {
        flock(fd, LOCK_SH);
    }

    private static void flock(int fd, int operation) {
        try {
            MemorySegment state = Scratch.current().state;
            while (true) {
                int r = (int) Calls.FLOCK.handle().invokeExact(state, fd, operation);
                if (r == 0) return;
                int e = Downcall.errno(state);
                if (e != Errno.EINTR) {
                    throw new LinuxException("flock(fd=" + fd + ", " + (operation == LOCK_EX ? "LOCK_EX" : "LOCK_SH")
                            + ")", e);
                }
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * pwrite(fd, &amp;value, 1, offset): one byte, one call (a store of one byte, which no
     * concurrent store to the neighbouring bytes of the page can tear).
     *
     * @throws LinuxException naming the call
     */
    public static void pwriteByte(int fd, byte value, long offset) {
        try {
            Scratch scratch = Scratch.current();
            MemorySegment state = scratch.state;
            MemorySegment b = scratch.path.asSlice(0, 1);
            b.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, value);
            while (true) {
                long r = (long) Calls.PWRITE.handle().invokeExact(state, fd, b, 1L, offset);
                if (r == 1) return;
                int e = r == 0 ? Errno.ENOSPC : Downcall.errno(state);
                if (e != Errno.EINTR) throw new LinuxException("pwrite(fd=" + fd + ", count=1, offset=" + offset + ")", e);
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** True if a process (or thread) with this id exists: kill(pid, 0) is 0 or fails with EPERM. */
    public static boolean isAlive(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            return false;
        }
        try {
            MemorySegment state = Scratch.current().state;
            int r = (int) Calls.KILL.handle().invokeExact(state, (int) pid, 0);
            return r == 0 || Downcall.errno(state) != Errno.ESRCH;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** The effective user id of this process (read once; see {@link Ids}). */
    public static int geteuid() {
        return Ids.EUID;
    }

    /** The effective group id of this process (read once; see {@link Ids}). */
    public static int getegid() {
        return Ids.EGID;
    }

    /**
     * futex(word, FUTEX_WAIT, expected, timeout): sleeps while the 32-bit word at
     * {@code word} holds {@code expected}, at most {@code timeoutNanos}. A shared (not
     * private) futex: waiters and wakers may be in different processes.
     *
     * @return 0 when woken, or the errno: {@link Errno#EAGAIN} (the word differed),
     *         {@link Errno#ETIMEDOUT}, {@link Errno#EINTR}
     */
    public static int futexWait(MemorySegment word, int expected, long timeoutNanos) {
        try {
            Scratch scratch = Scratch.current();
            MemorySegment state = scratch.state;
            MemorySegment ts = scratch.path.asSlice(0, Calls.TIMESPEC);
            ts.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            ts.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            long r = (long) Calls.SYSCALL.handle().invokeExact(state, Calls.SYS_FUTEX, word, FUTEX_WAIT, expected, ts,
                    MemorySegment.NULL, 0);
            return r == 0 ? 0 : Downcall.errno(state);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** futex(word, FUTEX_WAKE, n): wakes up to {@code n} waiters; returns how many were woken. */
    public static int futexWake(MemorySegment word, int n) {
        try {
            MemorySegment state = Scratch.current().state;
            long r = (long) Calls.SYSCALL.handle().invokeExact(state, Calls.SYS_FUTEX, word, FUTEX_WAKE, n,
                    MemorySegment.NULL, MemorySegment.NULL, 0);
            if (r < 0) {
                throw new LinuxException("futex(addr=0x" + Long.toHexString(word.address()) + ", FUTEX_WAKE, " + n + ")",
                        Downcall.errno(state));
            }
            return (int) r;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** The umask {@link #createExclusive} assumes: read once (see there), 0777 when the kernel does not show it. */
    public static int umask() {
        return Ids.UMASK;
    }

    /**
     * The effective ids, from the second field of the {@code Uid:} and {@code Gid:} lines of
     * {@code /proc/self/status}, and the umask from its {@code Umask:} line, read on first
     * use: no native function to link (linking is what costs most in a fresh JVM that only
     * attaches a space), and a JVM does not change its ids or umask without native code of
     * its own.
     */
    private static final class Ids {
        static final String STATUS = status();
        static final int EUID = field("Uid:");
        static final int EGID = field("Gid:");
        /** 0777 (every create takes the fchmod) if the line is missing (Linux before 4.7). */
        static final int UMASK = umaskField();

        private static String status() {
            try {
                return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/status")),
                        java.nio.charset.StandardCharsets.ISO_8859_1);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read /proc/self/status for the effective ids", e);
            }
        }

        /** "Umask:\t0022": octal digits. */
        private static int umaskField() {
            String status = STATUS;
            int at = status.indexOf("\nUmask:");
            if (at < 0) return 0777;
            int i = at + "\nUmask:".length();
            while (i < status.length() && (status.charAt(i) == '\t' || status.charAt(i) == ' ')) i++;
            int value = 0, digits = 0;
            for (; i < status.length() && status.charAt(i) >= '0' && status.charAt(i) <= '7'; i++, digits++) {
                value = value * 8 + (status.charAt(i) - '0');
            }
            return digits == 0 || value > 0777 ? 0777 : value;
        }

        private static int field(String line) {
            String status = STATUS;
            int at = status.startsWith(line) ? 0 : status.indexOf("\n" + line) + 1;
            if (at > 0 || status.startsWith(line)) {
                // "Uid:\treal\teffective\tsaved\tfs": the second number (no regex: cheap in a fresh JVM)
                int i = at + line.length();
                for (int field = 0; ; field++) {
                    while (status.charAt(i) == '\t' || status.charAt(i) == ' ') i++;
                    int end = i;
                    while (Character.isDigit(status.charAt(end))) end++;
                    if (field == 1) return Integer.parseInt(status, i, end, 10);
                    i = end;
                }
            }
            throw new IllegalStateException("/proc/self/status has no '" + line + "' line");
        }
    }

    /**
     * A thread's native memory for the arguments of its system calls: the {@code errno}
     * capture state and room for a path as a C string. Made on a thread's first call
     * ({@link Arena#ofAuto()}: freed once the thread and its thread-local are gone).
     *
     * <p>Threading contract: confined to its thread, and to one call at a time: each method
     * of {@link SpaceSyscalls} fills it and reads it back within the call, and none calls
     * another while it holds data there.
     */
    private static final class Scratch {
        static final MemoryLayout STATE = Linker.Option.captureStateLayout();
        /** PATH_MAX, the kernel's limit for a path, with its terminating zero. */
        static final int PATH_BYTES = 4096;
        private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);

        final MemorySegment state;
        final MemorySegment path;

        private Scratch() {
            Arena arena = Arena.ofAuto();
            state = arena.allocate(STATE);
            path = arena.allocate(PATH_BYTES, 8);
        }

        static Scratch current() {
            return CURRENT.get();
        }

        /**
         * {@code s} as a zero-terminated UTF-8 string in {@link #path}; a path longer than
         * the kernel accepts goes to memory of its own, for the kernel to refuse it
         * (ENAMETOOLONG) naming it.
         */
        MemorySegment cString(String s) {
            if (s.length() * 3L + 1 <= PATH_BYTES) {
                path.setString(0, s);
                return path;
            }
            return Arena.ofAuto().allocateFrom(s);
        }
    }

    /** The functions, each linked on its first call ({@link Downcall}). */
    private static final class Calls {
        static final MemoryLayout TIMESPEC = MemoryLayout.structLayout(
                JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));
        static final Downcall OPEN = Downcall.withErrno("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_INT), Linker.Option.firstVariadicArg(2));
        static final Downcall CLOSE = Downcall.withErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final Downcall FTRUNCATE = Downcall.withErrno("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
                JAVA_LONG));
        static final Downcall MMAP = Downcall.withErrno("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        static final Downcall PREAD = Downcall.withErrno("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
                JAVA_LONG, JAVA_LONG));
        static final Downcall FCHMOD = Downcall.withErrno("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final Downcall PWRITE = Downcall.withErrno("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
                JAVA_LONG, JAVA_LONG));
        static final Downcall FLOCK = Downcall.withErrno("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final Downcall KILL = Downcall.withErrno("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final Downcall SYSCALL = Downcall.withErrno("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS,
                JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(1));
        static final long SYS_FUTEX = System.getProperty("os.arch", "").equals("aarch64") ? 98 : 202;
    }
}
