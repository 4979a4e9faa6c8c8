package dev.atlas.bench.ulp;

import dev.atlas.libc.Downcall;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Starts a process with one {@code posix_spawn} of glibc (a {@code vfork}-like clone and one
 * {@code exec} of the program) and waits for it with {@code waitpid}: what a shell or a C
 * benchmark driver does. The JDK's {@link ProcessBuilder} on Linux spawns its helper
 * {@code jspawnhelper} first, which then executes the program: two {@code exec}s per process,
 * plus the JDK's reaper thread handing the exit status to the waiting thread.
 *
 * <p>Thread safety: stateless; each call allocates its own native memory.
 */
final class SpawnLauncher {
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY_CREAT_TRUNC = 0x1 | 0x40 | 0x200;   // the same on x86_64 and aarch64
    private static final int EINTR = 4;
    /** glibc's {@code posix_spawn_file_actions_t} is 80 bytes on x86_64 and aarch64; room to spare. */
    private static final long FILE_ACTIONS_BYTES = 256;

    private static final Downcall SPAWN = Downcall.of("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final Downcall ACTIONS_INIT = Downcall.of("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final Downcall ACTIONS_DESTROY = Downcall.of("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final Downcall ADD_OPEN = Downcall.of("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final Downcall ADD_CHDIR = Downcall.of("posix_spawn_file_actions_addchdir_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final Downcall WAITPID = Downcall.withErrno("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    private SpawnLauncher() {
    }

    /**
     * Runs {@code cmd} (its first element an absolute path) in {@code dir}, stdin from
     * {@code /dev/null}, stdout to {@code out}, stderr to {@code err}, with this process's
     * environment extended by {@code env}; returns its wall time from before the spawn to
     * after {@code waitpid} and its exit status (128 + the signal if a signal ended it).
     *
     * @throws IllegalArgumentException if the program is not an absolute path
     * @throws IllegalStateException    if the spawn or the wait fails (naming the call and its error number)
     */
    static Timed run(List<String> cmd, Path dir, Path out, Path err, Map<String, String> env) {
        if (cmd.isEmpty() || !cmd.getFirst().startsWith("/")) {
            throw new IllegalArgumentException("expected a command whose program is an absolute path, got " + cmd);
        }
        Map<String, String> all = new TreeMap<>(System.getenv());
        all.putAll(env);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment argv = strings(arena, cmd);
            MemorySegment envp = strings(arena, all.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            MemorySegment actions = arena.allocate(FILE_ACTIONS_BYTES, 16);
            check("posix_spawn_file_actions_init", (int) ACTIONS_INIT.handle().invokeExact(actions));
            try {
                check("posix_spawn_file_actions_addchdir_np",
                        (int) ADD_CHDIR.handle().invokeExact(actions, arena.allocateFrom(dir.toString())));
                check("posix_spawn_file_actions_addopen stdin", (int) ADD_OPEN.handle().invokeExact(actions, 0,
                        arena.allocateFrom("/dev/null"), O_RDONLY, 0));
                check("posix_spawn_file_actions_addopen stdout", (int) ADD_OPEN.handle().invokeExact(actions, 1,
                        arena.allocateFrom(out.toString()), O_WRONLY_CREAT_TRUNC, 0600));
                check("posix_spawn_file_actions_addopen stderr", (int) ADD_OPEN.handle().invokeExact(actions, 2,
                        arena.allocateFrom(err.toString()), O_WRONLY_CREAT_TRUNC, 0600));
                MemorySegment pid = arena.allocate(JAVA_INT);
                MemorySegment status = arena.allocate(JAVA_INT);
                MemorySegment state = arena.allocate(Downcall.stateLayout());
                MemorySegment path = arena.allocateFrom(cmd.getFirst());
                long t0 = System.nanoTime();
                int rc = (int) SPAWN.handle().invokeExact(pid, path, actions, MemorySegment.NULL, argv, envp);
                if (rc != 0) {
                    throw new IllegalStateException("posix_spawn " + cmd.getFirst() + " failed: error " + rc);
                }
                int child = pid.get(JAVA_INT, 0);
                int r;
                while ((r = (int) WAITPID.handle().invokeExact(state, child, status, 0)) < 0 && Downcall.errno(state) == EINTR) {
                    // interrupted by a signal: wait again
                }
                long t1 = System.nanoTime();
                if (r != child) {
                    throw new IllegalStateException("waitpid " + child + " failed: errno " + Downcall.errno(state));
                }
                int st = status.get(JAVA_INT, 0);
                int exit = (st & 0x7f) == 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f);
                return new Timed((t1 - t0) / 1e6, exit);
            } finally {
                int destroyed = (int) ACTIONS_DESTROY.handle().invokeExact(actions);
                assert destroyed == 0;
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** Wall time in milliseconds and exit status of one process. */
    record Timed(double millis, int status) {
    }

    private static void check(String call, int rc) {
        if (rc != 0) {
            throw new IllegalStateException(call + " failed: error " + rc);
        }
    }

    /** A NULL-terminated array of C strings. */
    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }
}
