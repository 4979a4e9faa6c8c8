package dev.atlas.core;

import dev.atlas.core.observe.MigrationCompletedEvent;
import dev.atlas.core.observe.ThreadMigratedEvent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A request to move a set of threads into a target view, each at its own quiescence
 * point. Returned at once by {@link MigrationRequest#start()}; the threads keep running
 * and nobody waits, unless a caller chooses to {@link #await(Duration) await} the result.
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=migration}
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class Migration {
    /*
     * Implementation notes.
     *
     * Every selected thread has one Entry. An entry holds one *token* in `tokens` until it
     * is settled; the migration finishes when `tokens` reaches zero, and the thread that
     * brings it there runs finish(), whose phase CAS makes it happen exactly once.
     *
     * Tickets and pins. A forward ticket holds one pin on the target. When the thread
     * adopts it, that pin becomes the binding's pin, and the binding's old pin (on the
     * view it left) is kept by the entry as its *return pin*, so that cancel() can always
     * send the thread back even if that view is retiring. finish(DONE) releases the return
     * pins; cancel hands each one to a return ticket.
     *
     * Cancel. cancel() first adds a guard token (so the migration cannot finish while it
     * walks the entries), then CASes RUNNING -> CANCELLING, then walks: a PENDING entry
     * whose ticket it withdraws becomes CANCELLED; a MIGRATED entry it CASes to RETURNING
     * gets a return ticket (and a new token). The race with an adopter that has removed
     * the ticket but not yet written MIGRATED is closed Dekker-style: the adopter writes
     * MIGRATED and then reads the phase; cancel writes the phase and then reads the entry.
     * With volatile accesses at least one of them sees the other, and the CAS
     * MIGRATED -> RETURNING decides which one issues the return ticket.
     *
     * Progress: nothing here blocks or spins on another thread; the adopter's work is a
     * bounded number of atomic operations plus, at most, one JFR commit and one lock-free
     * enqueue to the housekeeper for listeners.
     */

    private static final System.Logger LOG = System.getLogger("dev.atlas.core");

    /** The phase of a migration as a whole. */
    public enum Phase { RUNNING, CANCELLING, DONE, CANCELLED }

    private static final VarHandle PHASE;
    private static final VarHandle ENTRY_STATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PHASE = l.findVarHandle(Migration.class, "phase", Phase.class);
            ENTRY_STATE = l.findVarHandle(Entry.class, "state", ThreadMigrationState.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One selected thread. Fields other than {@code state} are written before the state. */
    static final class Entry {
        final Migration migration;
        final ThreadBinding binding;
        final String threadName;
        volatile ThreadMigrationState state = ThreadMigrationState.PENDING;
        volatile View from;            // set when it moved; carries the return pin until finish
        volatile long settledNanos;
        MigrationTicket forward;        // written before the ticket is offered

        Entry(Migration migration, ThreadBinding binding) {
            this.migration = migration;
            this.binding = binding;
            this.threadName = binding.thread.getName();
        }

        Migration migration() {
            return migration;
        }

        boolean casState(ThreadMigrationState expected, ThreadMigrationState next) {
            return ENTRY_STATE.compareAndSet(this, expected, next);
        }
    }

    private final ViewSpace space;
    private final long id;
    private final View target;
    private final Entry[] entries;
    private final long startNanos;
    private final AtomicInteger tokens;
    private final CompletableFuture<MigrationReport> completion = new CompletableFuture<>();
    private final View previousDefault;   // non-null when this migration changed the default
    private volatile Phase phase = Phase.RUNNING;
    private volatile long finishedNanos;

    /** For white-box tests: requested now. */
    Migration(ViewSpace space, long id, View target, List<ThreadBinding> bindings, View previousDefault) {
        this(space, id, target, bindings, previousDefault, System.nanoTime());
    }

    Migration(ViewSpace space, long id, View target, List<ThreadBinding> bindings, View previousDefault,
              long requestedNanos) {
        this.space = space;
        this.id = id;
        this.target = target;
        this.startNanos = requestedNanos;
        this.previousDefault = previousDefault;
        this.entries = new Entry[bindings.size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = new Entry(this, bindings.get(i));
        }
        this.tokens = new AtomicInteger(entries.length);
    }

    /** Offers every ticket; the caller has acquired one target pin per entry. */
    void launch() {
        if (entries.length == 0) {
            finish();
            return;
        }
        for (Entry e : entries) {
            e.forward = new MigrationTicket(e, target, false);
        }
        for (Entry e : entries) {
            e.binding.offer(e.forward);
        }
    }

    // ------------------------------------------------------------------ public API

    /** A number unique within the space. */
    public long id() {
        return id;
    }

    /** The view the threads are moved to. */
    public View target() {
        return target;
    }

    /** The phase of the migration as a whole. */
    public Phase phase() {
        return phase;
    }

    /** True once every thread is settled (or the cancellation completed). */
    public boolean isDone() {
        Phase p = phase;
        return p == Phase.DONE || p == Phase.CANCELLED;
    }

    /** Number of threads selected. */
    public int size() {
        return entries.length;
    }

    /** Threads not yet settled (moved, exited, cancelled, returned...). */
    public int remaining() {
        int n = 0;
        for (Entry e : entries) {
            if (!e.state.isSettled()) n++;
        }
        return n;
    }

    /** Per-thread progress right now. */
    public List<ThreadProgress> progress() {
        List<ThreadProgress> out = new ArrayList<>(entries.length);
        for (Entry e : entries) {
            ThreadMigrationState st = e.state;
            View from = e.from;
            long settled = e.settledNanos;
            out.add(new ThreadProgress(e.binding.threadId, e.threadName, st,
                    from == null ? -1 : from.id(),
                    st == ThreadMigrationState.PENDING || settled == 0
                            ? Optional.empty() : Optional.of(Duration.ofNanos(settled - startNanos))));
        }
        return out;
    }

    /** The threads that have not reached a quiescence point yet, with their stacks. */
    public List<Straggler> stragglers() {
        List<Straggler> out = new ArrayList<>();
        long now = System.nanoTime();
        for (Entry e : entries) {
            if (!e.state.isSettled()) {
                Thread t = e.binding.thread;
                out.add(new Straggler(t.threadId(), t.getName(), t.isVirtual(), t.getState(),
                        Duration.ofNanos(now - startNanos), Arrays.asList(t.getStackTrace())));
            }
        }
        return out;
    }

    /** A report of the state right now (final once {@link #isDone()}). */
    public MigrationReport report() {
        long end = finishedNanos;
        return new MigrationReport(id, target.id(), phase, progress(),
                Duration.ofNanos((end == 0 ? System.nanoTime() : end) - startNanos));
    }

    /**
     * Completes with the final report when every thread is settled; completes
     * exceptionally with a {@link CancellationException} when a cancellation completes.
     */
    public CompletableFuture<MigrationReport> completion() {
        // Completed on the housekeeper thread, so dependent actions never run on a worker.
        return completion.copy();
    }

    /**
     * Waits (the caller only; no migrating thread ever waits) until the migration is done.
     *
     * @throws MigrationTimeoutException naming the stragglers if it is not done in time;
     *                                   the migration goes on
     * @throws CancellationException if it was cancelled
     * @throws IllegalArgumentException if {@code timeout} is negative (zero polls)
     */
    public MigrationReport await(Duration timeout) throws MigrationTimeoutException, InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("await timeout " + timeout + " is negative; expected zero (poll) or more");
        }
        try {
            long nanos = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
            return completion.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new MigrationTimeoutException(this, timeout, stragglers());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CancellationException ce) throw ce;
            throw new IllegalStateException("migration " + id + " failed", e.getCause());
        }
    }

    /**
     * Cancels the migration: threads that have not moved stay where they are; threads
     * that have moved go back to the view they came from at their next quiescence point
     * (idle threads at once); if the migration made its target the default view, the old
     * default is restored. Never blocks on a migrating thread.
     *
     * @return false if the migration had already finished or was already cancelled
     */
    public boolean cancel() {
        return space.cancel(this);
    }

    /** Called by the space with its admin lock held. */
    boolean cancelLocked() {
        if (tokens.getAndIncrement() == 0) {    // guard token; zero means it already finished
            releaseToken();
            return false;
        }
        if (!PHASE.compareAndSet(this, Phase.RUNNING, Phase.CANCELLING)) {
            releaseToken();
            return false;
        }
        if (previousDefault != null) {
            space.restoreDefaultLocked(target, previousDefault);
        }
        for (Entry e : entries) {
            ThreadMigrationState st = e.state;
            if (st == ThreadMigrationState.PENDING) {
                MigrationTicket t = e.forward;
                if (e.binding.withdraw(t)) {
                    settleUnadopted(t, ThreadMigrationState.CANCELLED);
                    continue;
                }
                st = e.state; // adopted, superseded or exited meanwhile
            }
            if (st == ThreadMigrationState.MIGRATED && e.casState(ThreadMigrationState.MIGRATED, ThreadMigrationState.RETURNING)) {
                tokens.incrementAndGet();
                sendBack(e);
            }
        }
        releaseToken();
        return true;
    }

    @Override
    public String toString() {
        return "Migration[" + id + " -> view " + target.id() + ", " + phase + ", "
                + remaining() + "/" + entries.length + " remaining]";
    }

    // ------------------------------------------------------------------ settlement

    /** The CAS winner moved the thread from {@code from} to {@code t.target()}. */
    void adopted(MigrationTicket t, ThreadBinding binding, View from) {
        final Entry e = t.entry();
        final long now = System.nanoTime();
        if (t.isReturn()) {
            from.release(1);            // the binding's pin on the view it left
            e.settledNanos = now;
            e.state = ThreadMigrationState.RETURNED;
            releaseToken();
            return;
        }
        e.from = from;                  // its pin on `from` is now the entry's return pin
        e.settledNanos = now;
        e.state = ThreadMigrationState.MIGRATED;
        try {
            recordMigrated(e, from, now);
        } catch (Throwable failure) {   // observability must never stall the protocol
            LOG.log(System.Logger.Level.WARNING, "migration " + id + ": recording a migrated thread failed", failure);
        }
        if (phase == Phase.CANCELLING && e.casState(ThreadMigrationState.MIGRATED, ThreadMigrationState.RETURNING)) {
            sendBack(e);                // keeps this entry's token
            return;
        }
        releaseToken();
    }

    void superseded(MigrationTicket t) {
        settleUnadopted(t, ThreadMigrationState.SUPERSEDED);
    }

    void exited(MigrationTicket t) {
        settleUnadopted(t, ThreadMigrationState.EXITED);
    }

    private void settleUnadopted(MigrationTicket t, ThreadMigrationState outcome) {
        final Entry e = t.entry();
        t.target().release(1);          // every ticket holds one pin on its target
        e.settledNanos = System.nanoTime();
        e.state = outcome;
        releaseToken();
    }

    private void sendBack(Entry e) {
        // The return ticket takes over the entry's return pin on `from`.
        e.binding.offer(new MigrationTicket(e, e.from, true));
    }

    private void recordMigrated(Entry e, View from, long now) {
        ThreadMigratedEvent ev = new ThreadMigratedEvent();
        if (ev.isEnabled()) {
            ev.migrationId = id;
            ev.fromView = from.id();
            ev.toView = target.id();
            ev.delayNanos = now - startNanos;
            ev.migratedThread = e.threadName;
            ev.commit();
        }
        space.notices.onThreadMigrated(this, e.binding.threadId, e.threadName, from, Duration.ofNanos(now - startNanos));
    }

    private void releaseToken() {
        if (tokens.decrementAndGet() == 0) {
            finish();
        }
    }

    /**
     * Runs once, on the thread that released the last token (often a worker at its
     * quiescence point): it releases the return pins, so old views can retire, and hands
     * everything else (report, JFR event, log, listeners, completing the future, whose
     * dependent actions run where it is completed) to the housekeeper.
     */
    private void finish() {
        final Phase p = phase;
        final Phase end = p == Phase.RUNNING ? Phase.DONE : p == Phase.CANCELLING ? Phase.CANCELLED : null;
        if (end == null || !PHASE.compareAndSet(this, p, end)) {
            return;
        }
        finishedNanos = System.nanoTime();
        for (Entry e : entries) {
            if (e.state == ThreadMigrationState.MIGRATED) {
                e.from.release(1);      // return pins are no longer needed
            }
        }
        if (end == Phase.DONE && previousDefault != null) {
            previousDefault.release(1); // the old default's role pin, kept for cancel
        }
        space.notices.onMigrationFinished(new Outcome(this, end));
    }

    /** A class, not a lambda: no call-site linkage on the worker that finishes. */
    private record Outcome(Migration migration, Phase end) implements Runnable {
        @Override
        public void run() {
            migration.publishOutcome(end);
        }
    }

    /** On the housekeeper: report, JFR event, listeners, then the future. */
    private void publishOutcome(Phase end) {
        MigrationReport report = report();
        MigrationCompletedEvent ev = new MigrationCompletedEvent();
        if (ev.isEnabled()) {
            ev.migrationId = id;
            ev.toView = target.id();
            ev.outcome = end.name();
            ev.threads = entries.length;
            ev.maxDelayNanos = report.maxDelay().toNanos();
            ev.elapsedNanos = report.elapsed().toNanos();
            ev.commit();
        }
        space.registry.removeRunning(this);
        space.notices.migrationCompleted(this, report);
        if (end == Phase.DONE) {
            completion.complete(report);
        } else {
            completion.completeExceptionally(new CancellationException("migration " + id + " to view "
                    + target.describe() + " was cancelled"));
        }
    }
}
