package dev.atlas.patch.agent.command;

import dev.atlas.core.Migration;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.Straggler;
import dev.atlas.core.ThreadMigrationState;
import dev.atlas.core.View;
import dev.atlas.core.ViewSpace;
import dev.atlas.patch.agent.command.CommandReply.Status;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * Follows the migration of one apply or rollback (of a patch or a variant) for the CLI that asked, off the JVM's
 * attach-listener thread: when the migration completes, or when the request's timeout runs
 * out (whichever comes first), writes the final reply ({@value CommandReply#FINAL_FILE}) into
 * the command directory: every thread moved, or the stragglers with their stacks.
 *
 * <p>Why: the attach-listener thread is the JVM's only one; a command waiting there for a
 * straggler would hold up every later command ({@code atlas patch rollback},
 * {@code atlas status}) and every {@code jcmd} until the straggler's request ended.
 *
 * <p>Implementation notes: nothing waits. The migration's completion and a timer on the
 * pipeline's scheduler both run {@link #run} on that scheduler; the first one writes, the
 * other finds it done. If the CLI is gone (killed), the directory is gone too, or soon
 * deleted by the next command, and the reply is dropped: nothing is left waiting.
 *
 * <p>Threading: built on the attach-listener thread, then confined to the scheduler.
 */
final class MigrationFollower implements Runnable, BiConsumer<Object, Throwable> {
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    private final Migration migration;
    private final View target;
    private final ViewSpace space;
    private final Duration timeout;
    private final String stays;
    private final String undo;
    private final long pid;
    private final AtomicBoolean finished = new AtomicBoolean();
    private Path dir;                          // set by start, before the tasks can run
    private ScheduledExecutorService on;       // set by start, before the tasks can run
    private volatile ScheduledFuture<?> timer;

    /**
     * @param stays what the timeout reply says about the change, e.g. "The patch stays applied
     *              (it is NOT rolled back)"
     * @param undo  the timeout reply's last line, how to undo the change (ending in a line
     *              break), or ""
     */
    MigrationFollower(Migration migration, View target, ViewSpace space, Duration timeout, String stays, String undo,
                      long pid) {
        this.migration = migration;
        this.target = target;
        this.space = space;
        this.timeout = timeout;
        this.stays = stays;
        this.undo = undo;
        this.pid = pid;
    }

    /** Writes the final reply to {@code dir} when the migration is done or the timeout ran out; returns at once. */
    void start(Path dir, ScheduledExecutorService on) {
        this.dir = dir;
        this.on = on;
        timer = on.schedule(this, timeout.toNanos(), TimeUnit.NANOSECONDS);
        migration.completion().whenComplete(this);
    }

    /** The migration's completion (on whichever thread completed it): hand over to the scheduler. */
    @Override
    public void accept(Object report, Throwable failure) {
        try {
            on.execute(this);
        } catch (RejectedExecutionException e) {
            run();   // the scheduler is shut down: nothing else would write the reply
        }
    }

    /** Done or timed out: the first call writes the final reply. */
    @Override
    public void run() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        CommandReply reply = outcome();
        Optional<String> distrust = CommandChannel.distrust(dir);
        if (distrust.isPresent()) {
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "Atlas: final reply of migration " + migration.id()
                        + " dropped (the CLI is gone?): " + distrust.get());
            }
            return;
        }
        try {
            reply.write(dir, CommandReply.FINAL_FILE);
        } catch (IOException | RuntimeException e) {
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "Atlas: final reply of migration " + migration.id()
                        + " not written to " + dir + ": " + e);
            }
        }
    }

    /** The outcome as it is now: every thread moved (OK), or the stragglers (TIMEOUT). */
    CommandReply outcome() {
        Migration m = migration;
        Map<String, String> f = new LinkedHashMap<>();
        if (m.isDone()) {
            MigrationReport rep = m.report();
            f.put("moved", Long.toString(rep.count(ThreadMigrationState.MIGRATED)));
            f.put("max-delay-ms", String.format(Locale.ROOT, "%.3f", rep.maxDelay().toNanos() / 1e6));
            f.put("threads-outside-view", Long.toString(MigrationText.threadsOutside(space.describe(),
                    target.id())));
            return new CommandReply(Status.OK, f, "Migration " + m.id() + " done: " + m.size()
                    + " thread(s), each moved at its own quiescence point; slowest after "
                    + MigrationText.ms(rep.maxDelay()) + " (" + MigrationText.ms(rep.elapsed()) + " in all).\n"
                    + MigrationText.threads(rep));
        }
        List<Straggler> stragglers = m.stragglers();
        f.put("moved", Long.toString(m.size() - m.remaining()));
        f.put("pending", Integer.toString(stragglers.size()));
        f.put("stragglers", MigrationText.names(stragglers));
        return new CommandReply(Status.TIMEOUT, f, "Migration " + m.id() + " not complete after "
                + timeout.toMillis() + " ms: " + stragglers.size() + " of " + m.size()
                + " thread(s) have not reached a quiescence point (the end of their current request):\n"
                + MigrationText.stragglers(stragglers)
                + stays + " and the migration goes on: these threads move at their next quiescence point; "
                + "the others already run in view " + target.id() + ".\n"
                + "To follow it: atlas status " + pid + "\n" + undo);
    }
}
