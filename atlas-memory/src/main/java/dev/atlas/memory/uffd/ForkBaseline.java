package dev.atlas.memory.uffd;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.time.Duration;

/**
 * Benchmark support: the {@code fork()} baseline that snapshots are compared with (how Redis
 * and others snapshot memory). Forks this process from the native library; the child runs
 * no JVM code, sleeps and exits.
 *
 * {@snippet class=dev.atlas.memory.snippets.MemorySnippets region=fork-baseline}
 *
 * <p>Thread safety: any thread; each child must be reaped once.
 */
public final class ForkBaseline {
    private ForkBaseline() {
    }

    /** A forked child: its pid and how long fork() took in the parent. */
    public record Child(long pid, Duration forkTime) {
        /** Waits for the child to exit. */
        public void reap() {
            try {
                int r = (int) Handles.REAP.invokeExact(pid);
                if (r < 0) {
                    throw new UserfaultfdException("waitpid(" + pid + ") failed: errno " + -r, -r);
                }
            } catch (UserfaultfdException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /**
     * Forks; the child sleeps {@code childLife} and exits.
     *
     * @throws UnsupportedOperationException if the native library is not available
     */
    public static Child fork(Duration childLife) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ns = a.allocate(ValueLayout.JAVA_LONG);
            long pid = (long) Handles.FORK.invokeExact(childLife.toMillis(), ns);
            if (pid < 0) {
                throw new UserfaultfdException("fork() failed: errno " + -pid, (int) -pid);
            }
            return new Child(pid, Duration.ofNanos(ns.get(ValueLayout.JAVA_LONG, 0)));
        } catch (UserfaultfdException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @SuppressWarnings("restricted")
    private static final class Handles {
        static final MethodHandle FORK;
        static final MethodHandle REAP;

        static {
            NativeLibrary lib = NativeLibrary.get();
            if (!lib.loaded()) {
                throw new UnsupportedOperationException(lib.failure);
            }
            SymbolLookup l = lib.lookup;
            Linker linker = Linker.nativeLinker();
            FORK = linker.downcallHandle(l.find("atlas_bench_fork").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
            REAP = linker.downcallHandle(l.find("atlas_bench_reap").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        }
    }
}
