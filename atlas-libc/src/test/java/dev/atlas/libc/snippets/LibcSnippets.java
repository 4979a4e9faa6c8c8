package dev.atlas.libc.snippets;

import dev.atlas.libc.Downcall;
import dev.atlas.libc.Errno;
import dev.atlas.libc.Libc;
import dev.atlas.libc.LinuxException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** The javadoc examples of dev.atlas.libc, compiled (LibcSnippetsTest runs them). */
public final class LibcSnippets {
    // @start region=downcall
    static final Downcall CLOSE = Downcall.withErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    static void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            int r = (int) CLOSE.handle().invokeExact(state, fd);
            if (r == -1) {
                throw new LinuxException("close(fd=" + fd + ")", Downcall.errno(state));
            }
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }
    // @end

    /** @return the errno name a close of {@code fd} failed with, or null if it did not fail */
    public static String linuxException(int fd) {
        // @start region=linux-exception
        try {
            close(fd);
        } catch (LinuxException e) {
            if (e.errno() == Errno.EBADF) {
                // e.getMessage(): "close(fd=-1) failed: EBADF (bad file descriptor)"
                return e.errnoName();
            }
            throw e;
        }
        // @end
        return null;
    }

    /** @return the size of {@code pages} pages, or -1 off Linux x86_64/aarch64 */
    public static long libc(int pages) {
        // @start region=libc
        if (!Libc.isSupported()) {
            return -1;   // the callers' fallback, e.g. plain heap memory
        }
        long bytes = pages * Libc.pageSize();
        // @end
        return bytes;
    }

    private LibcSnippets() {}
}
