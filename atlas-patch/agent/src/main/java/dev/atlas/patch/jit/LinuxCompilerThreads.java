package dev.atlas.patch.jit;

import dev.atlas.libc.Downcall;
import dev.atlas.libc.Errno;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The JVM's compiler threads on Linux: found in {@code /proc/self/task} by name, their policy
 * and nice value read from {@code /proc/self/task/<tid>/stat}, changed with
 * {@code sched_setscheduler(2)} and {@code setpriority(2)} ({@link Downcall}s of atlas-libc;
 * on Linux both belong to each thread, and a thread id names that one thread).
 *
 * <p>Available only if the JVM lets Atlas call native code without a warning
 * ({@code --enable-native-access=ALL-UNNAMED}, or the agent's module named there) and if the
 * process may give a thread its priority back, which a probe thread tries once (lower
 * itself the way the window will, then go back): an unprivileged process may lower a
 * priority but not raise it again (nor leave {@code SCHED_IDLE}) unless its
 * {@code RLIMIT_NICE} allows it or it has {@code CAP_SYS_NICE}.
 *
 * <p>Threading: shared; the methods may be called from any thread.
 */
final class LinuxCompilerThreads implements CompilerThreadControl {
    /*
     * Implementation notes. Everything that links or spins classes (the downcall handles, the
     * errno capture layout, the probe) happens in the constructor, at agent start: a patch's
     * instant only reads /proc and calls the linked handle. Reads use plain loops and indexOf, no
     * regex or streams (the rules of the patch path, ARCHITECTURE.md).
     */
    private static final int PRIO_PROCESS = 0;
    private static final Path TASKS = Path.of("/proc/self/task");

    /** HotSpot's C1/C2 and JVMCI compiler threads, OpenJ9's JIT threads (names as cut to 15 bytes by the OS). */
    private static final String[] COMPILER_NAME_PREFIXES = {"C1 CompilerThre", "C2 CompilerThre", "JVMCI", "JIT Compilation"};

    private final MethodHandle setpriority;
    private final MethodHandle setscheduler;
    private final JitPriority target;
    private final String unavailable;

    /** For listing the compiler threads, and for a window lowering them to {@code SCHED_IDLE}. */
    LinuxCompilerThreads() {
        this(JitPriority.IDLE);
    }

    /** For a window lowering the compiler threads to {@code target} (the probe tries that). */
    LinuxCompilerThreads(JitPriority target) {
        this.target = target;
        MethodHandle prio = null;
        MethodHandle sched = null;
        String why = environmentProblem();
        if (why == null) {
            try {
                prio = Downcall.withErrno("setpriority", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT))
                        .handle();
                sched = Downcall.withErrno("sched_setscheduler", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
                        ADDRESS)).handle();
                Downcall.stateLayout();   // looks up the errno capture layout now, not at a patch's instant
            } catch (UnsupportedOperationException e) {
                why = e.getMessage();   // not Linux x86_64/aarch64, or the C library lacks one of them
                prio = null;
                sched = null;
            }
        }
        this.setpriority = prio;
        this.setscheduler = sched;
        this.unavailable = why != null ? why : probe();
    }

    private static String environmentProblem() {
        return environmentProblem(System.getProperty("os.name", ""), Files.isDirectory(TASKS),
                LinuxCompilerThreads.class.getModule().isNativeAccessEnabled());
    }

    /** Why per-thread priorities cannot be used, from the OS name, /proc and native access; null if they can. */
    static String environmentProblem(String osName, boolean procTasks, boolean nativeAccess) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "per-thread priorities are set only on Linux; this is " + osName;
        }
        if (!procTasks) {
            return TASKS + " is not readable";
        }
        if (!nativeAccess) {
            return "native access is not enabled for Atlas (start the JVM with --enable-native-access=ALL-UNNAMED)";
        }
        return null;
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.ofNullable(unavailable);
    }

    @Override
    public List<CompilerThread> compilerThreads() {
        List<CompilerThread> found = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = new String(Files.readAllBytes(task.resolve("stat")), StandardCharsets.UTF_8);
                } catch (NoSuchFileException gone) {
                    continue;   // the thread exited meanwhile
                } catch (IOException e) {
                    if (exiting(e)) {
                        continue;   // the thread is exiting: its directory is still listed, its stat gives ESRCH
                    }
                    throw e;
                }
                String name = statName(stat);
                if (name != null && isCompilerThread(name)) {
                    found.add(new CompilerThread(Integer.parseInt(task.getFileName().toString()), name,
                            statPriority(stat)));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the threads of this process in " + TASKS + ": " + e, e);
        }
        return found;
    }

    /** The read failed with ESRCH: the task is exiting (the JDK gives no errno, only its text). */
    private static boolean exiting(IOException e) {
        return "No such process".equals(e.getMessage());
    }

    @Override
    public boolean set(int tid, Priority from, Priority to) {
        if (from.policy() != to.policy()) {
            int err = callSetscheduler(tid, to.policy());
            if (err == Errno.ESRCH) {
                return false;
            }
            if (err != 0) {
                throw refused("sched_setscheduler(" + tid + ", " + policyName(to.policy()) + ")", err);
            }
        }
        if (from.nice() != to.nice()) {
            int err = callSetpriority(tid, to.nice());
            if (err == Errno.ESRCH) {
                return false;
            }
            if (err != 0) {
                throw refused("setpriority(PRIO_PROCESS, " + tid + ", " + to.nice() + ")", err);
            }
        }
        return true;
    }

    private IllegalStateException refused(String call, int err) {
        return new IllegalStateException(call + " failed: " + Errno.name(err)
                + (err == Errno.EPERM || err == Errno.EACCES ? " (" + rlimitNote() + ")" : ""));
    }

    /** @return 0, or the errno of the failed call ({@code who} 0 is the calling thread) */
    private int callSetpriority(int who, int nice) {
        if (setpriority == null) {
            throw new IllegalStateException("thread priorities cannot be changed here: " + unavailable);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            int r = (int) setpriority.invokeExact(state, PRIO_PROCESS, who, nice);
            return r == 0 ? 0 : Downcall.errno(state);
        } catch (Throwable t) {
            throw new IllegalStateException("setpriority(PRIO_PROCESS, " + who + ", " + nice + ") could not be called: " + t, t);
        }
    }

    /** @return 0, or the errno of the failed call; the static priority is 0 (time-sharing policies only) */
    private int callSetscheduler(int who, int policy) {
        if (setscheduler == null) {
            throw new IllegalStateException("thread policies cannot be changed here: " + unavailable);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Downcall.stateLayout());
            MemorySegment param = a.allocate(JAVA_INT);   // struct sched_param { int sched_priority; }, zeroed
            int r = (int) setscheduler.invokeExact(state, who, policy, param);
            return r == 0 ? 0 : Downcall.errno(state);
        } catch (Throwable t) {
            throw new IllegalStateException("sched_setscheduler(" + who + ", " + policyName(policy)
                    + ") could not be called: " + t, t);
        }
    }

    /**
     * On a throwaway thread: lower itself the way the window will (to {@code SCHED_IDLE}, or
     * by one nice step), then go back. The second step is what an unprivileged process may
     * be refused.
     */
    private String probe() {
        String[] result = new String[1];
        Thread t = Thread.ofPlatform().daemon().name("atlas-jit-priority-probe").unstarted(new Runnable() {
            @Override
            public void run() {
                result[0] = probeOnThisThread();
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while probing thread priorities";
        }
        return result[0];
    }

    private String probeOnThisThread() {
        Priority own;
        try {
            own = statPriority(new String(Files.readAllBytes(Path.of("/proc/thread-self/stat")), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return "cannot read this thread's scheduling from /proc/thread-self/stat: " + e;
        }
        if (target.kind() == JitPriority.Kind.IDLE) {
            if (own.policy() == SCHED_IDLE || !own.isTimeSharing()) {
                return null;   // nothing to try from here; the window decides per compiler thread
            }
            int lowered = callSetscheduler(0, SCHED_IDLE);
            if (lowered != 0) {
                return "sched_setscheduler refused SCHED_IDLE for a thread: " + Errno.name(lowered);
            }
            int back = callSetscheduler(0, own.policy());
            if (back != 0) {
                return "this process may put a thread under SCHED_IDLE but not take it out again (" + Errno.name(back)
                        + "; " + rlimitNote() + ")";
            }
            return null;
        }
        if (own.nice() >= JitPriority.MAX_NICE) {
            return null;   // nothing lower to go to: the window will find nothing to change
        }
        int lowered = callSetpriority(0, own.nice() + 1);
        if (lowered != 0) {
            return "setpriority refused to lower a thread's priority: " + Errno.name(lowered);
        }
        int back = callSetpriority(0, own.nice());
        if (back != 0) {
            return "this process may lower a thread's priority but not raise it back (" + Errno.name(back) + "; "
                    + rlimitNote() + ")";
        }
        return null;
    }

    /** The thread name in a {@code /proc/.../stat} line: between the first '(' and the last ')'; null if malformed. */
    static String statName(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        return open < 0 || close < open ? null : stat.substring(open + 1, close);
    }

    /** The scheduling in a {@code /proc/.../stat} line: policy (field 41) and nice value (field 19). */
    static Priority statPriority(String stat) {
        return new Priority(statField(stat, 41), statField(stat, 19));
    }

    /**
     * Numeric field {@code wanted} (counted from 1, as in {@code proc(5)}; the name is field 2)
     * of a {@code /proc/.../stat} line.
     *
     * @throws IllegalArgumentException if the line has no such field
     */
    static int statField(String stat, int wanted) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc stat line (no ')'): " + stat);
        }
        int field = 2;   // the name is field 2
        int i = close + 1;
        int n = stat.length();
        while (i < n) {
            while (i < n && stat.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < n && stat.charAt(i) != ' ') {
                i++;
            }
            if (start < i) {
                field++;
                if (field == wanted) {
                    return Integer.parseInt(stat.substring(start, i).trim());
                }
            }
        }
        throw new IllegalArgumentException("not a /proc stat line (" + field + " fields, expected at least " + wanted
                + "): " + stat);
    }

    /** Whether a thread name (as the OS cuts it, 15 bytes) is a JIT compiler thread's. */
    static boolean isCompilerThread(String name) {
        for (String p : COMPILER_NAME_PREFIXES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    static String policyName(int policy) {
        return switch (policy) {
            case SCHED_OTHER -> "SCHED_OTHER";
            case SCHED_BATCH -> "SCHED_BATCH";
            case SCHED_IDLE -> "SCHED_IDLE";
            default -> "policy " + policy;
        };
    }

    /** What the process's nice limit is, for messages (from /proc/self/limits). */
    private static String rlimitNote() {
        String limit = "unknown";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max nice priority")) {
                    String rest = line.substring("Max nice priority".length()).trim();
                    int sp = rest.indexOf(' ');
                    limit = sp < 0 ? rest : rest.substring(0, sp);
                }
            }
        } catch (IOException | RuntimeException e) {
            // keep "unknown"
        }
        return "raising a priority needs CAP_SYS_NICE or an RLIMIT_NICE of 20 or more, e.g. ulimit -e 20 or "
                + "systemd's LimitNICE=; this process's RLIMIT_NICE is " + limit;
    }
}
