package dev.atlas.core.reclaim;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * A single daemon thread that runs, in submission order, the work that must never run on
 * a worker thread: retirement cleanup (unmapping memory, unloading code), listener
 * notifications, and a periodic tick (sweeping bindings of dead threads).
 *
 * <p>Threading contract: many producers, one consumer. {@link #execute} is lock-free and
 * never blocks the caller (an offer to a {@link ConcurrentLinkedQueue} and an unpark);
 * jobs run one at a time on the housekeeper thread.
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=housekeeper}
 */
public final class Housekeeper implements Executor, AutoCloseable {
    /*
     * Implementation notes: producers offer then unpark; the consumer drains the queue,
     * runs the tick when due, then parks with a timeout. A lost wake-up is impossible:
     * unpark before park makes the next park return at once. close() sets `closing`,
     * unparks and joins; the consumer drains once more before it exits.
     *
     * No lost job at close: a producer that passed the `closing` check offers, then, if it
     * sees `closing` and the thread dead, drains itself. Otherwise the thread was alive
     * after the offer, so the offer happened before the thread ended, before join()
     * returned, and the closer's own drain after join() finds it.
     */
    private static final System.Logger LOG = System.getLogger("dev.atlas.core.reclaim");

    private final ConcurrentLinkedQueue<Runnable> jobs = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final long tickNanos;
    private final Runnable tick;
    private volatile boolean closing;

    private Housekeeper(String name, Duration tickInterval, Runnable tick) {
        this.tickNanos = tickInterval.toNanos();
        this.tick = Objects.requireNonNull(tick, "tick");
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
    }

    /** Starts a housekeeper whose thread runs {@code tick} every {@code tickInterval}. */
    public static Housekeeper start(String name, Duration tickInterval, Runnable tick) {
        if (tickInterval.isNegative() || tickInterval.isZero()) {
            throw new IllegalArgumentException("tick interval must be positive, was " + tickInterval);
        }
        Housekeeper h = new Housekeeper(name, tickInterval, tick);
        h.thread.start();
        return h;
    }

    /**
     * Queues a job; never blocks.
     *
     * @throws RejectedExecutionException if the housekeeper is closed
     */
    @Override
    public void execute(Runnable job) {
        Objects.requireNonNull(job, "job");
        if (closing) {
            throw new RejectedExecutionException("housekeeper " + thread.getName() + " is closed");
        }
        jobs.offer(job);
        LockSupport.unpark(thread);
        if (closing && !thread.isAlive()) {
            drain();   // we raced close(): the consumer has gone; run it here rather than lose it
        }
    }

    /** Whether the caller is the housekeeper thread itself. */
    public boolean isHousekeeperThread() {
        return Thread.currentThread() == thread;
    }

    private void loop() {
        long nextTick = System.nanoTime() + tickNanos;
        while (true) {
            drain();
            long now = System.nanoTime();
            if (now - nextTick >= 0) {
                run(tick);
                nextTick = now + tickNanos;
            }
            if (closing) {
                drain();
                return;
            }
            LockSupport.parkNanos(this, Math.max(1, nextTick - System.nanoTime()));
        }
    }

    private void drain() {
        Runnable job;
        while ((job = jobs.poll()) != null) {
            run(job);
        }
    }

    private static void run(Runnable job) {
        try {
            job.run();
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "housekeeping job failed: " + job, t);
        }
    }

    /**
     * Runs what is queued, then stops the thread. Waits for it unless called from it, and
     * then runs, on the caller, any job that a racing {@link #execute} queued after the
     * consumer's last drain: no job accepted by {@code execute} is ever lost.
     */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        if (!isHousekeeperThread()) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            drain();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
