package dev.atlas.patch.jit;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Runs the JVM's JIT compiler threads at a lower OS priority while a patch goes in, so that
 * compiling the new code (and recompiling the callers whose compiled code inlined the old)
 * takes the CPU the requests leave idle instead of competing with them.
 *
 * <p>Why: new code on the JVM must be compiled, and a patch's instant is when a lot of it
 * is: the new bodies, and every hot caller the JIT had compiled with the old dispatch. On
 * a two-core machine a C2 compilation of the request path takes one core for a hundred
 * milliseconds or more; measured in the patch demo, the requests that ran meanwhile were the
 * change window's slowest. With {@link JitPriority#IDLE} (the default) the compiler threads
 * run under {@code SCHED_IDLE}: only on a core no other thread wants, and a request thread
 * that wakes up takes the core from them at once. The compilations still finish, later when
 * the machine is busy, and the new code runs interpreted or at C1 a little longer. A nice
 * value ({@link JitPriority#nice(int)}) is the milder choice: a smaller share of a busy core,
 * but a running compiler thread keeps its core for the rest of its time slice.
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=jit-priority-window}
 *
 * <p>Leases nest: the first open lease lowers the compiler threads, the last one closed gives
 * each its own policy and nice value back (a compiler thread started meanwhile, which
 * inherits the lowered scheduling, gets what the others had: the lowest nice value among
 * them, and their policy). Where this process could lower but not raise a priority again
 * (unprivileged, {@code RLIMIT_NICE} below 20), nothing is lowered at all and
 * {@link Lease#describe()} says why: a JIT left idle for good would slow down every later
 * warm-up of the application. Compiler threads under a real-time policy are left alone.
 *
 * <p>Threading: shared; {@code open} and {@code close} may be called from any thread.
 */
public final class JitPriorityWindow {
    /*
     * Implementation notes. One lock guards the lease count and the saved priorities; it is
     * taken by operators (apply, rollback) and by the thread that closes a lease later, never by an
     * application thread, and it is held only for /proc reads and the system calls.
     * Lowering is all-or-nothing: if the OS refuses one thread, the threads already lowered
     * get their scheduling back before open() returns the lease that lowered nothing.
     */
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    private final CompilerThreadControl control;
    private final JitPriority priority;
    private final Object lock = new Object();
    private int openLeases;                                 // guarded by lock
    private Map<Integer, CompilerThreadControl.Priority> saved = new HashMap<>();
                                                            // tid -> own scheduling, for every compiler thread
                                                            // seen when lowering; guarded by lock
    private String lowered;                                 // what the open leases did; guarded by lock

    JitPriorityWindow(CompilerThreadControl control, JitPriority priority) {
        this.control = control;
        this.priority = Objects.requireNonNull(priority, "priority");
    }

    /**
     * The window for this JVM's compiler threads at {@code priority} ({@link JitPriority#OFF}:
     * a window that changes nothing). Finds out once, here, whether the process may lower and
     * raise thread priorities that way.
     */
    public static JitPriorityWindow forThisJvm(JitPriority priority) {
        return priority.isOff() ? off() : new JitPriorityWindow(new LinuxCompilerThreads(priority), priority);
    }

    /** A window that never changes anything (its leases say so). */
    public static JitPriorityWindow off() {
        return new JitPriorityWindow(Off.INSTANCE, JitPriority.OFF);
    }

    /** What the compiler threads run at while a lease is open. */
    public JitPriority priority() {
        return priority;
    }

    /** Why leases of this window change nothing, or empty if they lower the compiler threads. */
    public Optional<String> unavailable() {
        return priority.isOff() ? Optional.of(Off.WHY) : control.unavailable();
    }

    /** Opens a lease: the first open lease lowers the compiler threads. Never throws for OS reasons (see {@link Lease#describe()}). */
    public Lease open() {
        synchronized (lock) {
            Optional<String> why = unavailable();
            if (why.isPresent()) {
                return new Lease(false, "JIT compiler threads left at their priority: " + why.get());
            }
            if (openLeases > 0) {
                openLeases++;
                return new Lease(true, lowered);
            }
            String problem = lowerAll();
            if (problem != null) {
                return new Lease(false, "JIT compiler threads left at their priority: " + problem);
            }
            openLeases = 1;
            return new Lease(true, lowered);
        }
    }

    /** How many leases are open (tests, status). */
    public int openLeases() {
        synchronized (lock) {
            return openLeases;
        }
    }

    /** Whether a thread at {@code p} is already at or below this window's priority. */
    private boolean isLow(CompilerThreadControl.Priority p) {
        return p.policy() == CompilerThreadControl.SCHED_IDLE
                || priority.kind() == JitPriority.Kind.NICE && p.nice() >= priority.nice();
    }

    /** What a thread at {@code p} runs at while lowered. */
    private CompilerThreadControl.Priority lowered(CompilerThreadControl.Priority p) {
        return priority.kind() == JitPriority.Kind.IDLE
                ? new CompilerThreadControl.Priority(CompilerThreadControl.SCHED_IDLE, p.nice())
                : new CompilerThreadControl.Priority(p.policy(), priority.nice());
    }

    /** Whether a thread at {@code p} has exactly what a lowered thread passes on to a thread it starts. */
    private boolean isAtLowered(CompilerThreadControl.Priority p) {
        return priority.kind() == JitPriority.Kind.IDLE ? p.policy() == CompilerThreadControl.SCHED_IDLE
                : p.nice() == priority.nice();
    }

    /** What a thread started while lowered (now at {@code p}) gets back, given the others' {@code baseline}. */
    private CompilerThreadControl.Priority raised(CompilerThreadControl.Priority p, CompilerThreadControl.Priority baseline) {
        return priority.kind() == JitPriority.Kind.IDLE
                ? new CompilerThreadControl.Priority(baseline.policy(), p.nice())
                : new CompilerThreadControl.Priority(p.policy(), baseline.nice());
    }

    private String lowerAll() {
        List<CompilerThreadControl.CompilerThread> threads;
        try {
            threads = control.compilerThreads();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        Map<Integer, CompilerThreadControl.Priority> done = new HashMap<>();   // every compiler thread seen: tid -> own
        int changed = 0;
        int already = 0;
        int realTime = 0;
        for (CompilerThreadControl.CompilerThread t : threads) {
            CompilerThreadControl.Priority own = t.priority();
            if (!own.isTimeSharing()) {
                realTime++;
                continue;
            }
            if (isLow(own)) {
                done.put(t.tid(), own);
                already++;
                continue;
            }
            try {
                if (control.set(t.tid(), own, lowered(own))) {
                    done.put(t.tid(), own);
                    changed++;
                }
            } catch (RuntimeException e) {
                restore(done, null);
                return "lowering " + t.name() + " (thread " + t.tid() + ") was refused: " + e.getMessage();
            }
        }
        saved = done;
        lowered = changed + " JIT compiler thread(s) at " + priority.describe()
                + (already > 0 ? " (" + already + " already there)" : "")
                + (realTime > 0 ? "; " + realTime + " under a real-time policy left alone" : "");
        return null;
    }

    private void release() {
        synchronized (lock) {
            if (--openLeases > 0) {
                return;
            }
            CompilerThreadControl.Priority baseline = null;   // the lowest nice value among the threads lowered
            for (CompilerThreadControl.Priority p : saved.values()) {
                if (!isLow(p) && (baseline == null || p.nice() < baseline.nice())) {
                    baseline = p;
                }
            }
            restore(saved, baseline);
            saved = new HashMap<>();
            lowered = null;
        }
    }

    /**
     * Gives every compiler thread in {@code original} its scheduling back, and a compiler
     * thread started since (at exactly the lowered scheduling) {@code baseline}'s, unless that
     * is null. Failures are logged, never thrown: a release runs on a daemon thread, and the
     * other threads still get their scheduling back.
     */
    private void restore(Map<Integer, CompilerThreadControl.Priority> original, CompilerThreadControl.Priority baseline) {
        List<CompilerThreadControl.CompilerThread> now;
        try {
            now = control.compilerThreads();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> "Atlas: cannot list the JIT compiler threads to restore their priority: " + e);
            return;
        }
        for (CompilerThreadControl.CompilerThread t : now) {
            CompilerThreadControl.Priority own = original.get(t.tid());
            CompilerThreadControl.Priority target = own != null ? own
                    : baseline != null && isAtLowered(t.priority()) ? raised(t.priority(), baseline) : null;
            if (target == null || target.equals(t.priority())) {
                continue;
            }
            try {
                control.set(t.tid(), t.priority(), target);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> "Atlas: could not give " + t.name() + " (thread " + t.tid()
                        + ") its scheduling (" + target + ") back: " + e.getMessage());
            }
        }
    }

    /**
     * One reason to keep the compiler threads lowered. Closing is idempotent; the last
     * lease closed raises them back.
     *
     * <p>Threading: shared; close from any thread.
     */
    public final class Lease implements AutoCloseable {
        private final boolean counted;
        private final String description;
        private boolean closed;   // guarded by JitPriorityWindow.this.lock

        private Lease(boolean counted, String description) {
            this.counted = counted;
            this.description = description;
        }

        /** Whether this lease keeps the compiler threads lowered (false: it changed nothing). */
        public boolean lowered() {
            return counted;
        }

        /**
         * What the lease did, e.g. {@code 2 JIT compiler thread(s) at SCHED_IDLE}, or
         * {@code JIT compiler threads left at their priority: <why>}.
         */
        public String describe() {
            return description;
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                if (counted) {
                    release();
                }
            }
        }

        /**
         * Closes this lease on {@code on} {@code after} the given future completed normally, at
         * once if it failed, or {@code atMost} after this call if it has not completed by then (a
         * migration waiting for a straggler must not keep the JIT lowered for good). Returns at
         * once; no thread waits for the future.
         */
        public void closeAfter(CompletableFuture<?> done, Duration after, Duration atMost, ScheduledExecutorService on) {
            if (!counted) {
                close();
                return;
            }
            DelayedClose d = new DelayedClose(this, after, on);
            on.schedule(d, atMost.toNanos(), TimeUnit.NANOSECONDS);
            done.whenComplete(d);
        }
    }

    /**
     * The delayed close; a class, not lambdas (no linkage at a patch's instant). As a
     * callback of the future it only schedules (it may run on whichever thread completed it).
     */
    private static final class DelayedClose implements Runnable, BiConsumer<Object, Throwable> {
        private final Lease lease;
        private final Duration after;
        private final ScheduledExecutorService on;

        DelayedClose(Lease lease, Duration after, ScheduledExecutorService on) {
            this.lease = lease;
            this.after = after;
            this.on = on;
        }

        @Override
        public void accept(Object result, Throwable failure) {
            try {
                on.schedule(this, failure == null ? after.toNanos() : 0L, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                lease.close();   // the executor is shut down: release now rather than never
            }
        }

        @Override
        public void run() {
            lease.close();
        }
    }

    /** The control of a window that is off. */
    private enum Off implements CompilerThreadControl {
        INSTANCE;

        static final String WHY = "the window is off (agent option jitPriority=off)";

        @Override
        public Optional<String> unavailable() {
            return Optional.of(WHY);
        }

        @Override
        public List<CompilerThread> compilerThreads() {
            return List.of();
        }

        @Override
        public boolean set(int tid, Priority from, Priority to) {
            throw new IllegalStateException("off");
        }
    }
}
