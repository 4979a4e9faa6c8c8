package dev.atlas.patch.runtime;

import dev.atlas.core.Migration;
import dev.atlas.patch.format.MalformedPatchException;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchSignatureException;
import dev.atlas.patch.format.PatchVerifier;
import dev.atlas.patch.format.VerifiedPatch;
import dev.atlas.patch.jit.JitPriorityWindow;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The way a patch goes into this process, from its file to the migration that moves every
 * thread into it, and back out by rollback: one object, owned by the agent.
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=patch-pipeline}
 *
 * <p>{@link #apply(Path, KeyStore)}: opens a {@link JitPriorityWindow} lease (the JIT's
 * compiler threads lowered from here), reads and verifies the file once
 * ({@link PatchVerifier#open}: the patch defined is the one whose signature was checked),
 * waits for the agent's warm-up if it still runs (at most {@value #WARMUP_WAIT_SECONDS} s),
 * hands the patch to {@link CodeViews} (prepare beside the running code, publish the view,
 * switch the guards, start the migration), and returns as soon as the migration has
 * started. Afterwards, on this pipeline's one scheduler thread: the lease is closed
 * {@link #JIT_WINDOW_AFTER} after the migration completed (at most {@link #JIT_WINDOW_MAX}
 * after the change, even if a straggler holds it), and the invoke sites' inline caches are
 * installed {@link #INLINE_CACHE_DELAY} after it completed.
 *
 * <p>Implementation notes: nothing here waits for an application thread, so the caller (the
 * agent's command channel runs on the JVM's single attach-listener thread) is free as soon
 * as the migration has started; whoever wants the outcome follows
 * {@link Migration#completion()}. The scheduler thread is started with the pipeline (at
 * agent start), not at a patch's instant; its tasks are classes, not lambdas, which would
 * link at their first run. A failure before the migration starts closes the lease at once
 * and changes nothing.
 *
 * <p>Threading: shared; apply and rollback are operator calls, serialised by
 * {@link CodeViews}' lock.
 */
public final class PatchPipeline implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    /** How long an apply waits for the agent's start-up warm-up, at most (it takes well under a second). */
    public static final int WARMUP_WAIT_SECONDS = 10;

    /** How long after a patch's (or rollback's) migration the invoke sites' inline caches are installed. */
    public static final Duration INLINE_CACHE_DELAY = Duration.ofSeconds(1);

    /**
     * How long the JIT stays lowered after a patch's or rollback's migration completed: past
     * the inline caches' installation and the compilations it starts.
     */
    public static final Duration JIT_WINDOW_AFTER = Duration.ofSeconds(3);

    /** The longest the JIT stays lowered for one change, even if its migration waits for a straggler. */
    public static final Duration JIT_WINDOW_MAX = Duration.ofSeconds(30);

    private final CodeViews views;
    private final JitPriorityWindow jit;
    private final ScheduledThreadPoolExecutor scheduler;
    private volatile Thread schedulerThread;   // the scheduler's current worker (a new one if a task killed it)
    private volatile Thread warmup;   // the warm-up started by startWarmup, or null
    private volatile long warmupNanos = -1;   // how long the warm-up ran, once it ended; -1 before

    /** A patch applied from its file, with what its verification found. */
    public record FileApplication(VerifiedPatch file, PatchApplication application) {}

    /**
     * A pipeline into {@code views}, lowering the JIT through {@code jit} during each change.
     * Starts its scheduler thread ({@code atlas-patch-pipeline}, a daemon) now.
     */
    public PatchPipeline(CodeViews views, JitPriorityWindow jit) {
        this.views = Objects.requireNonNull(views, "views");
        this.jit = Objects.requireNonNull(jit, "jit");
        this.scheduler = new ScheduledThreadPoolExecutor(1, new SchedulerThreads(this));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.prestartCoreThread();
    }

    public CodeViews views() {
        return views;
    }

    public JitPriorityWindow jitPriorityWindow() {
        return jit;
    }

    /**
     * The pipeline's scheduler: one daemon thread for its delayed work (closing JIT leases,
     * installing inline caches) and for whoever follows a migration on its behalf (the
     * agent's replies). Tasks must be short and must not block.
     */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /**
     * Whether {@code t} is the pipeline's scheduler thread: the agent's own worker, which runs
     * no application task, so the executor boundaries give it no request scope (it is not
     * bound to the view space, and a migration neither waits for it nor counts it).
     */
    public boolean ownsThread(Thread t) {
        return t == schedulerThread;
    }

    /**
     * Runs {@code task} (the agent's patch-path warm-up) on a daemon thread named
     * {@code atlas-warmup}; an apply that comes meanwhile waits for it, at most
     * {@value #WARMUP_WAIT_SECONDS} s (its migration would otherwise move the warm-up's own
     * threads while the warm-up moves them between its views).
     */
    public Thread startWarmup(Runnable task) {
        Thread t = Thread.ofPlatform().daemon().name("atlas-warmup").unstarted(new TimedWarmup(task));
        warmup = t;
        t.start();
        return t;
    }

    /**
     * The warm-up's state for {@code atlas status}: {@code none} (not started), {@code running},
     * or its wall time in milliseconds once it ended.
     */
    public String warmupState() {
        long n = warmupNanos;
        return n >= 0 ? String.format(java.util.Locale.ROOT, "%.1f", n / 1e6) : warmup == null ? "none" : "running";
    }

    /** Runs the warm-up and records its wall time (a named class: no lambda on the patch path). */
    private final class TimedWarmup implements Runnable {
        private final Runnable task;

        TimedWarmup(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            long t0 = System.nanoTime();
            try {
                task.run();
            } finally {
                warmupNanos = System.nanoTime() - t0;
            }
        }
    }

    /**
     * Reads, verifies and applies the patch in {@code file}; returns once its migration has
     * started.
     *
     * @param trusted the trusted signers, or null: no signature required (see {@link PatchVerifier#open})
     * @throws MalformedPatchException  if the file is not a well-formed patch; nothing changed
     * @throws PatchSignatureException  if its signature is required and missing, or wrong; nothing changed
     * @throws PatchRejectedException   if the patch does not fit this process; nothing changed
     */
    public FileApplication apply(Path file, KeyStore trusted)
            throws IOException, MalformedPatchException, PatchSignatureException {
        return apply(file, trusted, LoaderScope.ALL);
    }

    /**
     * As {@link #apply(Path, KeyStore)}, changing only the copies of the patched classes that
     * {@code scope}'s class loaders loaded (see {@link LoaderScope}).
     */
    public FileApplication apply(Path file, KeyStore trusted, LoaderScope scope)
            throws IOException, MalformedPatchException, PatchSignatureException {
        Objects.requireNonNull(scope, "scope");
        JitPriorityWindow.Lease lease = jit.open();   // reading and checking are inside the window too
        try {
            VerifiedPatch v = PatchVerifier.open(file, trusted);
            return new FileApplication(v, applyLowered(v.patch(), lease, scope));
        } catch (IOException | MalformedPatchException | PatchSignatureException | RuntimeException | Error e) {
            lease.close();
            throw e;
        }
    }

    /**
     * Applies a patch already read; returns once its migration has started (see
     * {@link PatchApplication#migration()}).
     *
     * @throws PatchRejectedException if the patch does not fit this process; nothing changed
     */
    public PatchApplication apply(Patch patch) {
        return apply(patch, LoaderScope.ALL);
    }

    /** As {@link #apply(Patch)}, for the copies of the classes in {@code scope}'s class loaders only. */
    public PatchApplication apply(Patch patch, LoaderScope scope) {
        Objects.requireNonNull(patch, "patch");
        Objects.requireNonNull(scope, "scope");
        JitPriorityWindow.Lease lease = jit.open();
        try {
            return applyLowered(patch, lease, scope);
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
    }

    private PatchApplication applyLowered(Patch patch, JitPriorityWindow.Lease lease, LoaderScope scope) {
        awaitWarmup();
        PatchApplication a = views.apply(patch, lease.describe(), scope);
        afterChange(a.migration(), lease);
        return a;
    }

    /**
     * Rolls back the newest patch: every thread migrates back to the view it was applied on;
     * returns once that migration has started.
     *
     * @throws IllegalStateException if no patch is applied
     */
    public PatchApplication rollback() {
        return rollback(LoaderScope.ALL);
    }

    /**
     * Rolls back the newest patch applied in {@code scope} ({@link LoaderScope#ALL}: the newest
     * patch); patches of other scopes stay applied. Returns once the migration has started.
     *
     * @throws IllegalStateException if no patch is applied in {@code scope}, or a newer patch
     *         changed the same classes; nothing changed
     */
    public PatchApplication rollback(LoaderScope scope) {
        Objects.requireNonNull(scope, "scope");
        JitPriorityWindow.Lease lease = jit.open();
        PatchApplication a;
        try {
            a = views.rollback(lease.describe(), scope);
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
        afterChange(a.migration(), lease);
        return a;
    }

    private void afterChange(Migration m, JitPriorityWindow.Lease lease) {
        scheduleInlineCaches(m);
        lease.closeAfter(m.completion(), JIT_WINDOW_AFTER, JIT_WINDOW_MAX, scheduler);
    }

    /**
     * Installs the invoke sites' inline caches ({@link CodeViews#installInlineCaches})
     * {@link #INLINE_CACHE_DELAY} after {@code m} completed, on the scheduler. Until then the
     * new bodies run through the invoke sites' generic {@code invokeExact}: correct, a few
     * nanoseconds slower per call, and the lambda forms of the caches (about a third of the
     * classes the JDK spun at the patch instant, measured) are not built while the JIT is
     * busiest with the new code.
     */
    public void scheduleInlineCaches(Migration m) {
        m.completion().whenComplete(new InlineCacheInstaller(views, scheduler));
    }

    /** Waits for a warm-up still running (see {@link #startWarmup}); at once on the warm-up thread itself. */
    private void awaitWarmup() {
        Thread t = warmup;
        if (t == null || t == Thread.currentThread() || !t.isAlive()) {
            return;
        }
        try {
            if (!t.join(Duration.ofSeconds(WARMUP_WAIT_SECONDS))) {
                if (LOG.isLoggable(Level.DEBUG)) {
                    LOG.log(Level.DEBUG, "patch path warm-up still running after " + WARMUP_WAIT_SECONDS
                            + " s; applying anyway");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the scheduler (tests; the agent's pipeline lives as long as the JVM). */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /**
     * The delayed installation. A class, not lambdas: a lambda links (a class spun by the
     * JDK) at its first run, which would be the first patch's instant. As the migration's
     * callback it only schedules.
     */
    private static final class InlineCacheInstaller implements BiConsumer<Object, Throwable>, Runnable {
        private final CodeViews views;
        private final ScheduledExecutorService on;

        InlineCacheInstaller(CodeViews views, ScheduledExecutorService on) {
            this.views = views;
            this.on = on;
        }

        @Override
        public void accept(Object report, Throwable failure) {
            try {
                on.schedule(this, INLINE_CACHE_DELAY.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // the pipeline is closed: the invoke sites keep their generic path, which is correct
            }
        }

        @Override
        public void run() {
            views.installInlineCaches();
        }
    }

    /** Makes the pipeline's one thread and remembers it; a class, not a lambda (no call-site linkage). */
    private record SchedulerThreads(PatchPipeline pipeline, ThreadFactory named) implements ThreadFactory {
        SchedulerThreads(PatchPipeline pipeline) {
            this(pipeline, Thread.ofPlatform().daemon().name("atlas-patch-pipeline").factory());
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = named.newThread(r);
            pipeline.schedulerThread = t;
            return t;
        }
    }
}
