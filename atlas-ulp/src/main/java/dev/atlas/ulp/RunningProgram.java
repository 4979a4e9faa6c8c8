package dev.atlas.ulp;

import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.ulp.load.ProgramClassLoader;
import dev.atlas.ulp.system.ProgramContext;
import dev.atlas.ulp.system.ProgramExitSignal;
import dev.atlas.ulp.system.ProgramLifecycle;
import dev.atlas.ulp.system.ProgramSystem;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A program running in a {@link ProgramHost}: a user-level process. It ends as a JVM would:
 * when its main thread and its last non-daemon thread have ended, or when any of its
 * threads calls {@code System.exit}/{@code Runtime.exit}/{@code Runtime.halt}, or when it
 * is {@linkplain #kill() killed}. Then its shutdown hooks run, its output is flushed, the
 * executors and timers it created are shut down ({@code shutdownNow}, {@code cancel}), its
 * remaining threads are interrupted and lose their context class loader, its view retires,
 * and its class loader is closed and left to the garbage collector.
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=running-program}
 *
 * <p>Thread safety: all methods may be called from any thread.
 *
 * <p>Implementation notes: {@link #end} runs once ({@code ending} CAS); a second exit from
 * another thread returns at once and unwinds its caller, which a real second
 * {@code System.exit} would block forever. The exit future completes last, after the output
 * was flushed, so whoever waits for the status has all the output.
 */
public final class RunningProgram {
    private static final long HOOKS_BOUND_MILLIS = 30_000;
    private static final int KILLED = 143;   // 128 + SIGTERM, as java killed by SIGTERM

    private final long id;
    private final ProgramSpec spec;
    private final ThreadMode mode;
    private final long startNanos = System.nanoTime();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean ending = new AtomicBoolean();
    private final Lifecycle lifecycle = new Lifecycle();
    private final Consumer<RunningProgram> onEnd;
    private volatile ProgramContext context;
    private volatile ProgramClassLoader loader;
    private volatile View view;
    private volatile Thread main;
    private volatile ExecutorService kernel;
    private volatile int classes;

    RunningProgram(long id, ProgramSpec spec, Consumer<RunningProgram> onEnd) {
        this.id = id;
        this.spec = spec;
        this.mode = spec.threadMode();
        this.onEnd = onEnd;
    }

    ProgramLifecycle lifecycle() {
        return lifecycle;
    }

    /** Starts the main thread; the program's classes are loaded, its view published. */
    void start(ProgramContext ctx, ProgramClassLoader programLoader, View programView, MainMethod entry, ViewSpace space) {
        this.context = ctx;
        this.loader = programLoader;
        this.view = programView;
        String[] args = spec.args().toArray(String[]::new);
        Runnable body = () -> runMain(ctx, programLoader, programView, entry, space, args);
        Thread t = mode == ThreadMode.VIRTUAL
                ? Thread.ofVirtual().name("main").unstarted(body)
                : Thread.ofPlatform().name("main").daemon(false).unstarted(body);
        t.setContextClassLoader(programLoader);
        ctx.setMainThread(t);
        main = t;
        t.start();
    }

    private void runMain(ProgramContext ctx, ProgramClassLoader programLoader, View programView, MainMethod entry,
                         ViewSpace space, String[] args) {
        ProgramSystem.attach(ctx);
        space.bindCurrentThread(programView);
        int status = 0;
        try {
            entry.invoke(args);
        } catch (ProgramExitSignal exited) {
            return;
        } catch (Throwable t) {
            if (ctx.ended()) {
                return;
            }
            entry.trimStackTrace(t);
            PrintStream err = ctx.err();
            err.print("Exception in thread \"main\" ");
            t.printStackTrace(err);
            status = 1;
        } finally {
            space.unbindCurrentThread();
        }
        Thread self = Thread.currentThread();
        Thread other;
        while (!ctx.ended() && (other = ProgramThreads.liveNonDaemon(programLoader, self)) != null) {
            try {
                other.join();
            } catch (InterruptedException e) {
                return;   // interrupted only by the program's end
            }
        }
        end(status, true);
    }

    /**
     * Ends the program with {@code status}: hooks (if {@code runHooks}), flush, interrupt its
     * threads, retire its view, close its loader, complete {@link #exitCode()}. Only the first
     * call counts.
     */
    void end(int status, boolean runHooks) {
        if (!ending.compareAndSet(false, true)) {
            return;
        }
        ProgramContext ctx = context;
        ProgramClassLoader l = loader;
        try {
            if (runHooks) {
                runShutdownHooks(ctx);
            }
            flush(ctx.out());
            flush(ctx.err());
            ctx.markEnded();
            classes = l.definedClasses();
            stopExecutors(ctx);
            Thread self = Thread.currentThread();
            List<Thread> left = ProgramThreads.platformThreadsOf(l);
            for (Thread t : left) {
                if (t != self) {
                    t.interrupt();
                }
            }
            Thread m = main;
            if (m != null && m != self) {
                m.interrupt();
            }
            ExecutorService k = kernel;
            if (k != null) {
                k.shutdownNow();
            }
            // a thread that outlives its program, or a thread object something still holds (a pipe
            // holds its last reader), must not keep the program's loader reachable
            for (Thread t : left) {
                if (t != self) {
                    t.setContextClassLoader(null);
                }
            }
            if (m != null && m != self) {
                m.setContextClassLoader(null);
            }
            ctx.releaseStreams();
            view.retire();
            l.closeQuietly();
        } finally {
            // the thread objects name the loader as their context class loader: drop them
            loader = null;
            main = null;
            ctx.setMainThread(null);
            try {
                onEnd.accept(this);   // the host's part (its patches rolled back) is done when the status is known
            } finally {
                exit.complete(status & 0xff);   // the OS keeps the low 8 bits, as for java
            }
        }
    }

    /**
     * Shuts down the executors and cancels the timers the program created: their idle
     * workers end now instead of after their keep-alive (or never). A program's own subclass
     * runs its code when shut down, so then this happens on a thread of its own, waited for at
     * most as long as the shutdown hooks.
     */
    private void stopExecutors(ProgramContext ctx) {
        var owned = ctx.executors();
        if (!owned.anyProgramDefined()) {
            owned.stopAll();
            return;
        }
        Thread stopper = Thread.ofPlatform().daemon(true).name("program-" + id + "-stop").start(owned::stopAll);
        try {
            stopper.join(HOOKS_BOUND_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void flush(PrintStream s) {
        s.flush();
    }

    private static void runShutdownHooks(ProgramContext ctx) {
        List<Thread> hooks = ctx.takeShutdownHooks();
        for (Thread h : hooks) {
            h.start();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOOKS_BOUND_MILLIS);
        for (Thread h : hooks) {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    h.join(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The program's id in its host. */
    public long id() {
        return id;
    }

    public ProgramSpec spec() {
        return spec;
    }

    /** Completes with the program's exit status when it has ended. */
    public CompletableFuture<Integer> exitCode() {
        return exit;
    }

    /** Waits for the program's end and returns its exit status. */
    public int awaitExit() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("program " + id + " failed in the host", e.getCause());
        }
    }

    /** True once the program has ended. */
    public boolean ended() {
        return exit.isDone();
    }

    /**
     * Ends the program as SIGTERM ends a JVM: shutdown hooks run, exit status 143. A thread
     * that never blocks or calls into its {@code System} keeps running on its own (the JDK
     * cannot stop a thread), but the program has ended for its host and its client.
     */
    public void kill() {
        end(KILLED, true);
    }

    /** The program's class loader while it runs (null once it has ended). */
    public ClassLoader classLoader() {
        return loader;
    }

    /** The program's view in the host's view space. */
    public View view() {
        return view;
    }

    /** The program's live threads: its main thread and the platform threads it started. */
    public List<Thread> threads() {
        ProgramClassLoader l = loader;
        if (l == null) {
            return List.of();
        }
        List<Thread> ts = new java.util.ArrayList<>(ProgramThreads.platformThreadsOf(l));
        Thread m = main;
        if (m != null && m.isAlive() && !ts.contains(m)) {
            ts.add(0, m);
        }
        return ts;
    }

    /** What {@code atlas host status} shows for this program now. */
    public ProgramStatus status() {
        List<Thread> ts = threads();
        long cpu = 0;
        long allocated = 0;
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx) {
            for (Thread t : ts) {
                if (!t.isVirtual()) {
                    cpu += Math.max(0, mx.getThreadCpuTime(t.threadId()));
                    allocated += Math.max(0, mx.getThreadAllocatedBytes(t.threadId()));
                }
            }
        }
        ProgramClassLoader l = loader;
        return new ProgramStatus(id, spec.commandLine(), mode, ts.size(), cpu / 1_000_000, allocated,
                l != null ? l.definedClasses() : classes, (System.nanoTime() - startNanos) / 1_000_000);
    }

    @Override
    public String toString() {
        return "program " + id + " (" + spec.commandLine() + ")";
    }

    /** The host side of the program's System. */
    private final class Lifecycle implements ProgramLifecycle {
        @Override
        public void exit(int status, boolean runHooks) {
            end(status, runHooks);
        }

        @Override
        public Executor kernelContext() {
            ExecutorService k = kernel;
            if (k == null) {
                synchronized (this) {
                    k = kernel;
                    if (k == null) {
                        k = Executors.newSingleThreadExecutor(
                                Thread.ofPlatform().daemon(true).name("program-" + id + "-kernel").factory());
                        kernel = k;
                    }
                }
            }
            return k;
        }
    }
}
