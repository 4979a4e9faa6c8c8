package dev.atlas.ulp.rewrite;

import java.lang.classfile.CodeBuilder;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * The JDK types whose creation in a program's code is reported to
 * {@code dev.atlas.ulp.system.CreationHooks}: threads (so that a virtual main thread's children
 * are non-daemon), and the executors and timers the host stops when the program ends.
 *
 * <p>Thread safety: immutable.
 */
enum CreationHook {
    THREAD("threadCreated", "Ljava/lang/Thread;", "java/lang/Thread"),
    EXECUTOR("executorCreated", "Ljava/util/concurrent/ExecutorService;", "java/util/concurrent/ThreadPoolExecutor",
            "java/util/concurrent/ScheduledThreadPoolExecutor", "java/util/concurrent/ForkJoinPool"),
    TIMER("timerCreated", "Ljava/util/Timer;", "java/util/Timer");

    private static final ClassDesc HOOKS = ClassDesc.of("dev.atlas.ulp.system.CreationHooks");
    private static final String EXECUTORS = "java/util/concurrent/Executors";

    private final String method;
    private final MethodTypeDesc type;
    private final String[] constructed;

    CreationHook(String method, String parameter, String... constructed) {
        this.method = method;
        this.type = MethodTypeDesc.ofDescriptor("(" + parameter + ")V");
        this.constructed = constructed;
    }

    /** The hook for a constructor call {@code owner.name}, or null if it constructs nothing reported. */
    static CreationHook ofConstructor(String owner, String name) {
        if (!name.equals("<init>")) {
            return null;
        }
        for (CreationHook h : values()) {
            for (String c : h.constructed) {
                if (c.equals(owner)) {
                    return h;
                }
            }
        }
        return null;
    }

    /** Whether {@code owner.name desc} is one of the {@code Executors.new*} factories (they return a new executor). */
    static boolean isExecutorFactory(String owner, String name, String desc) {
        return owner.equals(EXECUTORS) && name.startsWith("new")
                && (desc.endsWith(")Ljava/util/concurrent/ExecutorService;")
                    || desc.endsWith(")Ljava/util/concurrent/ScheduledExecutorService;"));
    }

    /** Emits the hook's call; the created object is on top of the stack, which the call consumes. */
    void call(CodeBuilder cb) {
        cb.invokestatic(HOOKS, method, type);
    }
}
