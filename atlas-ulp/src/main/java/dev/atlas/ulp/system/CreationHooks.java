package dev.atlas.ulp.system;

import java.util.Timer;
import java.util.concurrent.ExecutorService;

/**
 * What a program's rewritten code calls right after it created a thread, an executor or a
 * timer (see {@code dev.atlas.ulp.rewrite.SystemCallRewriter}): the host learns what the
 * program started, so that the program lives and ends as it would in its own JVM.
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=creation-hooks}
 *
 * <p>Thread safety: all methods may be called from any thread.
 *
 * <p>Implementation notes: called after {@code new Thread(..)}, {@code new ThreadPoolExecutor(..)},
 * {@code new ScheduledThreadPoolExecutor(..)}, {@code new ForkJoinPool(..)} and
 * {@code new Timer(..)} (also as the {@code super(..)} call of a program's subclass) and after
 * every {@code Executors.new*} factory call. Outside every program (host code) they do nothing.
 */
public final class CreationHooks {
    private CreationHooks() {
    }

    /**
     * A platform thread created by the program's virtual main thread is made non-daemon, as
     * the child of a real (platform, non-daemon) main thread would be, so that the program
     * lives until it ends.
     */
    public static void threadCreated(Thread t) {
        ProgramContext c = ProgramSystem.attached();
        if (c != null && !t.isVirtual() && Thread.currentThread() == c.mainThread() && Thread.currentThread().isVirtual()) {
            t.setDaemon(false);
        }
    }

    /** The executor is the program's: the host shuts it down ({@code shutdownNow}) when the program ends. */
    public static void executorCreated(ExecutorService e) {
        own(e);
    }

    /** The timer is the program's: the host cancels it when the program ends. */
    public static void timerCreated(Timer t) {
        own(t);
    }

    private static void own(Object executorOrTimer) {
        ProgramContext c = ProgramSystem.current();
        if (c != null && executorOrTimer != null) {
            c.executors().add(executorOrTimer);
        }
    }
}
