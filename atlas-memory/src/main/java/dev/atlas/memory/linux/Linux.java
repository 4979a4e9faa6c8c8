package dev.atlas.memory.linux;

import dev.atlas.libc.Downcall;
import dev.atlas.libc.Libc;
import dev.atlas.libc.LinuxException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux system calls the memory layer needs, as FFM downcalls into libc, with
 * {@code errno} captured. Every failure throws a {@link LinuxException} naming the call,
 * its arguments and the errno.
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=linux}
 *
 * <p>Segments returned by {@link #mmap} are in the global scope: whoever maps memory owns
 * its lifetime and should attach it to an {@link Arena} at once
 * ({@code reinterpret(size, arena, cleanup)}), so that unmapping can never race a reader.
 * The constants are those of x86_64 and aarch64 Linux (identical for these calls).
 *
 * <p>Thread safety: all methods may be called from any thread. On another OS or CPU every
 * method throws {@link UnsupportedOperationException} ({@link Libc#isSupported()}); the page
 * size is {@link Libc#pageSize()}.
 */
@SuppressWarnings("restricted")   // the whole class is the native boundary
public final class Linux {
    /*
     * Implementation notes. The functions are Downcalls in the nested Calls class, each linked
     * on its first call, so that merely loading Linux (for its constants or isSupported())
     * never looks up a libc symbol and a process links only what it calls. errno is captured with Linker.Option.captureCallState into a small segment
     * allocated per call from a confined arena (system calls here cost microseconds; the
     * allocation does not matter).
     */
    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;

    public static final int MADV_DONTNEED = 4;
    public static final int MADV_REMOVE = 9;

    public static final int MFD_CLOEXEC = 0x1;

    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 0x80000;

    private Linux() {}

    /** memfd_create(name, flags): an anonymous memory file, size 0. */
    public static int memfdCreate(String name, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            int r = (int) Calls.MEMFD_CREATE.handle().invokeExact(state, a.allocateFrom(name), flags);
            return checkInt(r, state, () -> "memfd_create(\"" + name + "\", flags=0x" + Integer.toHexString(flags) + ")");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ftruncate(fd, length). */
    public static void ftruncate(int fd, long length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            int r = (int) Calls.FTRUNCATE.handle().invokeExact(state, fd, length);
            checkInt(r, state, () -> "ftruncate(fd=" + fd + ", length=" + length + ")");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * mmap(addr, length, prot, flags, fd, offset). {@code addr} is {@link MemorySegment#NULL}
     * or a hint (a fixed address with {@link #MAP_FIXED}).
     *
     * @return the mapping, {@code length} bytes long, in the global scope
     */
    public static MemorySegment mmap(MemorySegment addr, long length, int prot, int flags, int fd, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            MemorySegment r = (MemorySegment) Calls.MMAP.handle().invokeExact(state, addr, length, prot, flags, fd, offset);
            if (r.address() == -1L) {
                throw new LinuxException("mmap(addr=" + hex(addr.address()) + ", length=" + length + ", prot="
                        + protName(prot) + ", flags=" + mapFlagsName(flags) + ", fd=" + fd + ", offset=" + offset + ")",
                        errno(state));
            }
            return r.reinterpret(length);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Private anonymous read-write memory of {@code length} bytes owned by {@code arena}:
     * closing the arena unmaps it (so no reader can touch it afterwards).
     */
    public static MemorySegment mapAnonymous(long length, Arena arena) {
        MemorySegment m = mmap(MemorySegment.NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        try {
            return m.reinterpret(length, arena, Linux::munmapQuietly);
        } catch (RuntimeException | Error e) {
            munmapQuietly(m);
            throw e;
        }
    }

    /** munmap(segment.address(), segment.byteSize()). */
    public static void munmap(MemorySegment segment) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            int r = (int) Calls.MUNMAP.handle().invokeExact(state, segment, segment.byteSize());
            checkInt(r, state, () -> "munmap(addr=" + hex(segment.address()) + ", length=" + segment.byteSize() + ")");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mprotect(segment.address(), segment.byteSize(), prot). */
    public static void mprotect(MemorySegment segment, int prot) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            int r = (int) Calls.MPROTECT.handle().invokeExact(state, segment, segment.byteSize(), prot);
            checkInt(r, state, () -> "mprotect(addr=" + hex(segment.address()) + ", length=" + segment.byteSize()
                    + ", prot=" + protName(prot) + ")");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** madvise(segment.address(), segment.byteSize(), advice). */
    public static void madvise(MemorySegment segment, int advice) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            int r = (int) Calls.MADVISE.handle().invokeExact(state, segment, segment.byteSize(), advice);
            checkInt(r, state, () -> "madvise(addr=" + hex(segment.address()) + ", length=" + segment.byteSize()
                    + ", advice=" + advice + ")");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** close(fd). */
    public static void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            int r = (int) Calls.CLOSE.handle().invokeExact(state, fd);
            checkInt(r, state, () -> "close(fd=" + fd + ")");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** open(path, flags) for an existing file (no mode). */
    public static int open(String path, int flags) {
        return open(path, flags, 0);
    }

    /** open(path, flags, mode): {@code mode} applies when {@code flags} create the file (less the umask). */
    public static int open(String path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            int r = (int) Calls.OPEN.handle().invokeExact(state, a.allocateFrom(path), flags, mode);
            return checkInt(r, state, () -> "open(\"" + path + "\", flags=0x" + Integer.toHexString(flags)
                    + (mode != 0 ? ", mode=0" + Integer.toOctalString(mode) : "") + ")");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * pread(fd, buffer, buffer.byteSize(), offset).
     *
     * @return the number of bytes read (0 at end of file)
     */
    public static long pread(int fd, MemorySegment buffer, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            long r = (long) Calls.PREAD.handle().invokeExact(state, fd, buffer, buffer.byteSize(), offset);
            if (r < 0) {
                throw new LinuxException("pread(fd=" + fd + ", count=" + buffer.byteSize() + ", offset=" + offset + ")",
                        errno(state));
            }
            return r;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@link #munmap}, logging instead of throwing: for arena cleanup actions, which must not throw. */
    public static void munmapQuietly(MemorySegment segment) {
        try {
            munmap(segment);
        } catch (RuntimeException e) {
            System.getLogger("dev.atlas.memory").log(System.Logger.Level.ERROR, "munmap failed", e);
        }
    }

    /** {@link #close}, logging instead of throwing. */
    public static void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (RuntimeException e) {
            System.getLogger("dev.atlas.memory").log(System.Logger.Level.ERROR, "close failed", e);
        }
    }

    /** "PROT_READ|PROT_WRITE" and so on. */
    public static String protName(int prot) {
        if (prot == PROT_NONE) {
            return "PROT_NONE";
        }
        StringBuilder b = new StringBuilder();
        if ((prot & PROT_READ) != 0) b.append("PROT_READ");
        if ((prot & PROT_WRITE) != 0) b.append(b.isEmpty() ? "" : "|").append("PROT_WRITE");
        int rest = prot & ~(PROT_READ | PROT_WRITE);
        if (rest != 0) b.append(b.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(rest));
        return b.toString();
    }

    static String mapFlagsName(int flags) {
        StringBuilder b = new StringBuilder();
        int[] bits = {MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS, MAP_NORESERVE, MAP_POPULATE};
        String[] names = {"MAP_SHARED", "MAP_PRIVATE", "MAP_FIXED", "MAP_ANONYMOUS", "MAP_NORESERVE", "MAP_POPULATE"};
        int rest = flags;
        for (int i = 0; i < bits.length; i++) {
            if ((flags & bits[i]) != 0) {
                b.append(b.isEmpty() ? "" : "|").append(names[i]);
                rest &= ~bits[i];
            }
        }
        if (rest != 0) b.append(b.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(rest));
        return b.isEmpty() ? "0" : b.toString();
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static int checkInt(int r, MemorySegment state, java.util.function.Supplier<String> call) {
        if (r == -1) {
            throw new LinuxException(call.get(), errno(state));
        }
        return r;
    }

    private static int errno(MemorySegment state) {
        return Downcall.errno(state);
    }

    private static RuntimeException rethrow(Throwable t) {
        return Downcall.rethrow(t);
    }

    /** The functions, each linked on its first call ({@link Downcall}). */
    private static final class Calls {
        static final Downcall MEMFD_CREATE = Downcall.withErrno("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final Downcall FTRUNCATE = Downcall.withErrno("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
        static final Downcall MMAP = Downcall.withErrno("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        static final Downcall MUNMAP = Downcall.withErrno("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        static final Downcall MPROTECT = Downcall.withErrno("mprotect", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        static final Downcall MADVISE = Downcall.withErrno("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        static final Downcall CLOSE = Downcall.withErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final Downcall OPEN = Downcall.withErrno("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        static final Downcall PREAD = Downcall.withErrno("pread",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    }
}
