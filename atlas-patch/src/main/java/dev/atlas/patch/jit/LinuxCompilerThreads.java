package dev.atlas.patch.jit;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The JVM's compiler threads on Linux: found in {@code /proc/self/task} by name, their nice
 * values read from {@code /proc/self/task/<tid>/stat}, changed with {@code setpriority(2)}
 * (an FFM downcall; on Linux the nice value belongs to each thread, and
 * {@code setpriority(PRIO_PROCESS, tid, n)} changes that one thread).
 *
 * <p>Available only if the JVM lets Atlas call native code without a warning
 * ({@code --enable-native-access=ALL-UNNAMED}, or the agent's module named there) and if the
 * process may give a thread its priority back, which a probe thread tries once (lower
 * itself by one, raise itself back): an unprivileged process may lower a priority but not
 * raise it again unless its {@code RLIMIT_NICE} allows it or it has {@code CAP_SYS_NICE}.
 *
 * <p>Threading: shared; the methods may be called from any thread.
 */
@SuppressWarnings("restricted")   // the class is the native boundary of the jit package
final class LinuxCompilerThreads implements CompilerThreadControl {
    /*
     * Implementation notes. Everything that links or spins classes (the downcall handle, the
     * errno layout, the probe) happens in the constructor, at agent start: a patch's instant
     * only reads /proc and calls the linked handle. Reads use plain loops and indexOf, no
     * regex or streams (the rules of the patch path, ARCHITECTURE.md).
     */
    private static final int PRIO_PROCESS = 0;
    private static final int EPERM = 1;
    private static final int ESRCH = 3;
    private static final int EACCES = 13;
    private static final Path TASKS = Path.of("/proc/self/task");

    /** HotSpot's C1/C2 and JVMCI compiler threads, OpenJ9's JIT threads (names as cut to 15 bytes by the OS). */
    private static final String[] COMPILER_NAME_PREFIXES = {"C1 CompilerThre", "C2 CompilerThre", "JVMCI", "JIT Compilation"};

    private final MethodHandle setpriority;
    private final StructLayout errnoLayout;
    private final VarHandle errno;
    private final String unavailable;

    LinuxCompilerThreads() {
        MethodHandle h = null;
        StructLayout layout = null;
        VarHandle e = null;
        String why = environmentProblem();
        if (why == null) {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> symbol = linker.defaultLookup().find("setpriority");
            if (symbol.isEmpty()) {
                why = "the C library has no setpriority";
            } else {
                layout = Linker.Option.captureStateLayout();
                e = layout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                h = linker.downcallHandle(symbol.get(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                        Linker.Option.captureCallState("errno"));
            }
        }
        this.setpriority = h;
        this.errnoLayout = layout;
        this.errno = e;
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
                }
                String name = statName(stat);
                if (name != null && isCompilerThread(name)) {
                    found.add(new CompilerThread(Integer.parseInt(task.getFileName().toString()), name, statNice(stat)));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the threads of this process in " + TASKS + ": " + e, e);
        }
        return found;
    }

    @Override
    public boolean setNice(int tid, int nice) {
        int err = callSetpriority(tid, nice);
        if (err == 0) {
            return true;
        }
        if (err == ESRCH) {
            return false;
        }
        throw new IllegalStateException("setpriority(PRIO_PROCESS, " + tid + ", " + nice + ") failed: "
                + errnoName(err) + (err == EPERM || err == EACCES ? " (" + rlimitNote() + ")" : ""));
    }

    /** @return 0, or the errno of the failed call ({@code who} 0 is the calling thread) */
    private int callSetpriority(int who, int nice) {
        if (setpriority == null) {
            throw new IllegalStateException("thread priorities cannot be changed here: " + unavailable);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(errnoLayout);
            int r = (int) setpriority.invokeExact(state, PRIO_PROCESS, who, nice);
            return r == 0 ? 0 : (int) errno.get(state, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("setpriority(PRIO_PROCESS, " + who + ", " + nice + ") could not be called: " + t, t);
        }
    }

    /**
     * On a throwaway thread: lower its own priority by one, then raise it back. The second
     * step is what an unprivileged process may be refused.
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
        int nice;
        try {
            nice = statNice(new String(Files.readAllBytes(Path.of("/proc/thread-self/stat")), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return "cannot read this thread's nice value from /proc/thread-self/stat: " + e;
        }
        if (nice >= 19) {
            return null;   // nothing lower to go to: the window will find nothing to change
        }
        int lowered = callSetpriority(0, nice + 1);
        if (lowered != 0) {
            return "setpriority refused to lower a thread's priority: " + errnoName(lowered);
        }
        int back = callSetpriority(0, nice);
        if (back != 0) {
            return "this process may lower a thread's priority but not raise it back (" + errnoName(back) + "; "
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

    /**
     * The nice value in a {@code /proc/.../stat} line: field 19, the 17th after the name.
     *
     * @throws IllegalArgumentException if the line has no such field
     */
    static int statNice(String stat) {
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
                if (field == 19) {
                    return Integer.parseInt(stat.substring(start, i).trim());
                }
            }
        }
        throw new IllegalArgumentException("not a /proc stat line (" + field + " fields, expected at least 19): " + stat);
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

    private static String errnoName(int err) {
        return switch (err) {
            case EPERM -> "EPERM";
            case ESRCH -> "ESRCH";
            case EACCES -> "EACCES";
            default -> "errno " + err;
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
