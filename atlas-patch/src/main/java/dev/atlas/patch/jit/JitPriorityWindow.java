package dev.atlas.patch.jit;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the JVM's JIT compiler threads at a lower OS priority while a patch goes in, so that
 * compiling the new code (and recompiling the callers whose compiled code inlined the old)
 * takes the CPU the requests leave idle instead of competing with them.
 *
 * <p>Why: new code on the JVM must be compiled, and a patch's instant is when a lot of it
 * is: the new bodies, and every hot caller the JIT had compiled with the old dispatch. On
 * a two-core machine a C2 compilation of the request path takes one core for a hundred
 * milliseconds or more; measured in the patch demo, the requests that ran meanwhile were the
 * change window's slowest. At nice 19 the compiler threads get about 1.5% of a core against
 * each busy request thread and all of an idle core, so the compilations still finish, later
 * when the machine is busy, and the new code runs interpreted or at C1 a little longer.
 *
 * {@snippet :
 * JitPriorityWindow jit = JitPriorityWindow.forThisJvm(19);
 * JitPriorityWindow.Lease lease = jit.open();          // compiler threads now at nice 19
 * // ... prepare the patch, switch, migrate ...
 * lease.closeAfter(migration.completion(), Duration.ofSeconds(3), Duration.ofSeconds(30));
 * }
 *
 * <p>Leases nest: the first open lease lowers the compiler threads, the last one closed gives
 * each its own nice value back (a compiler thread started meanwhile, which inherits the
 * lowered value, gets the lowest value the others had). Where this process could lower but
 * not raise a priority again (unprivileged, {@code RLIMIT_NICE} below 20), nothing is
 * lowered at all and {@link Lease#describe()} says why: a JIT left at nice 19 for good would
 * slow down every later warm-up of the application.
 *
 * <p>Threading: shared; {@code open} and {@code close} may be called from any thread.
 */
public final class JitPriorityWindow {
    /*
     * Implementation notes. One lock guards the lease count and the saved nice values; it is
     * taken by operators (apply, rollback) and by the releasing daemon thread, never by an
     * application thread, and it is held only for /proc reads and setpriority calls.
     * Lowering is all-or-nothing: if the OS refuses one thread, the threads already lowered
     * get their values back before open() returns the lease that lowered nothing.
     */
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    /** The highest nice value Linux has (the lowest priority). */
    public static final int MAX_NICE = 19;

    private final CompilerThreadControl control;
    private final int nice;
    private final Object lock = new Object();
    private int openLeases;                                 // guarded by lock
    private Map<Integer, Integer> saved = new HashMap<>();  // tid -> own nice value, for every compiler thread
                                                            // seen when lowering; guarded by lock
    private String lowered;                                 // what the open leases did; guarded by lock

    JitPriorityWindow(CompilerThreadControl control, int nice) {
        this.control = control;
        this.nice = checkNice(nice);
    }

    private static int checkNice(int nice) {
        if (nice < 0 || nice > MAX_NICE) {
            throw new IllegalArgumentException("JIT nice value is " + nice + ", expected 0 (leave the JIT alone) to "
                    + MAX_NICE);
        }
        return nice;
    }

    /**
     * The window for this JVM's compiler threads at {@code nice} (1 to 19; 0 turns it off).
     * Finds out once, here, whether the process may lower and raise thread priorities.
     *
     * @throws IllegalArgumentException if {@code nice} is not 0 to 19
     */
    public static JitPriorityWindow forThisJvm(int nice) {
        checkNice(nice);
        return nice == 0 ? off() : new JitPriorityWindow(new LinuxCompilerThreads(), nice);
    }

    /** A window that never changes anything (its leases say so). */
    public static JitPriorityWindow off() {
        return new JitPriorityWindow(Off.INSTANCE, 0);
    }

    /** The nice value the compiler threads get while a lease is open; 0 if off. */
    public int nice() {
        return nice;
    }

    /** Why leases of this window change nothing, or empty if they lower the compiler threads. */
    public Optional<String> unavailable() {
        return nice == 0 ? Optional.of("the window is off (agent option jitNice=0)") : control.unavailable();
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

    private String lowerAll() {
        List<CompilerThreadControl.CompilerThread> threads;
        try {
            threads = control.compilerThreads();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        Map<Integer, Integer> done = new HashMap<>();   // every compiler thread seen, lowered or not: tid -> own value
        int changed = 0;
        int already = 0;
        for (CompilerThreadControl.CompilerThread t : threads) {
            if (t.nice() >= nice) {
                done.put(t.tid(), t.nice());
                already++;
                continue;
            }
            try {
                if (control.setNice(t.tid(), nice)) {
                    done.put(t.tid(), t.nice());
                    changed++;
                }
            } catch (RuntimeException e) {
                restore(done, Integer.MAX_VALUE);
                return "lowering " + t.name() + " (thread " + t.tid() + ") was refused: " + e.getMessage();
            }
        }
        saved = done;
        lowered = changed + " JIT compiler thread(s) at nice " + nice
                + (already > 0 ? " (" + already + " already there)" : "");
        return null;
    }

    private void release() {
        synchronized (lock) {
            if (--openLeases > 0) {
                return;
            }
            int baseline = Integer.MAX_VALUE;
            for (int v : saved.values()) {
                baseline = Math.min(baseline, v);
            }
            restore(saved, baseline);
            saved = new HashMap<>();
            lowered = null;
        }
    }

    /**
     * Gives every compiler thread in {@code original} its value back, and a compiler thread
     * started since (at exactly the lowered value) {@code baseline}, unless that is
     * {@code Integer.MAX_VALUE}. Failures are logged, never thrown: a release runs on a
     * daemon thread, and the other threads still get their values back.
     */
    private void restore(Map<Integer, Integer> original, int baseline) {
        List<CompilerThreadControl.CompilerThread> now;
        try {
            now = control.compilerThreads();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> "Atlas: cannot list the JIT compiler threads to restore their priority: " + e);
            return;
        }
        for (CompilerThreadControl.CompilerThread t : now) {
            Integer own = original.get(t.tid());
            int target = own != null ? own : (t.nice() == nice ? baseline : Integer.MAX_VALUE);
            if (target == Integer.MAX_VALUE || target == t.nice()) {
                continue;
            }
            try {
                control.setNice(t.tid(), target);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> "Atlas: could not give " + t.name() + " (thread " + t.tid()
                        + ") its nice value " + target + " back: " + e.getMessage());
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
         * What the lease did, e.g. {@code 2 JIT compiler thread(s) at nice 19}, or
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
         * Closes this lease on a daemon thread {@code after} the given future completed (in any
         * way), or {@code atMost} after this call if it has not by then (a migration waiting for
         * a straggler must not keep the JIT lowered for good). Returns at once.
         */
        public void closeAfter(CompletableFuture<?> done, Duration after, Duration atMost) {
            if (!counted) {
                close();
                return;
            }
            Thread.ofPlatform().daemon().name("atlas-jit-window").start(new DelayedClose(this, done, after, atMost));
        }
    }

    /** The releasing thread's work; a class, not a lambda (no linkage at a patch's instant). */
    private static final class DelayedClose implements Runnable {
        private final Lease lease;
        private final CompletableFuture<?> done;
        private final Duration after;
        private final Duration atMost;

        DelayedClose(Lease lease, CompletableFuture<?> done, Duration after, Duration atMost) {
            this.lease = lease;
            this.done = done;
            this.after = after;
            this.atMost = atMost;
        }

        @Override
        public void run() {
            try {
                try {
                    done.get(atMost.toNanos(), TimeUnit.NANOSECONDS);
                    Thread.sleep(after);
                } catch (ExecutionException | TimeoutException e) {
                    // failed or still running: release now, see closeAfter
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lease.close();
            }
        }
    }

    /** The control of a window that is off. */
    private enum Off implements CompilerThreadControl {
        INSTANCE;

        @Override
        public Optional<String> unavailable() {
            return Optional.of("the window is off (agent option jitNice=0)");
        }

        @Override
        public List<CompilerThread> compilerThreads() {
            return List.of();
        }

        @Override
        public boolean setNice(int tid, int nice) {
            throw new IllegalStateException("off");
        }
    }
}
