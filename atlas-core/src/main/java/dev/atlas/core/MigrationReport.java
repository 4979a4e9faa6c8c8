package dev.atlas.core;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a finished (or, for {@link Migration#report()}, running) migration.
 *
 * @param migrationId  the migration's id in its space
 * @param targetViewId the view threads were moved to
 * @param outcome      RUNNING, CANCELLING, DONE or CANCELLED
 * @param threads      per-thread progress, in the order threads were selected
 * @param elapsed      time since the request (until completion, once finished)
 */
public record MigrationReport(long migrationId, long targetViewId, Migration.Phase outcome,
                              List<ThreadProgress> threads, Duration elapsed) {

    /** Number of threads in {@code state}. */
    public long count(ThreadMigrationState state) {
        long n = 0;
        for (ThreadProgress t : threads) {
            if (t.state() == state) {
                n++;
            }
        }
        return n;
    }

    /** The longest delay from request to settlement among settled threads. */
    public Duration maxDelay() {
        Duration max = Duration.ZERO;
        for (ThreadProgress t : threads) {
            Duration d = t.delay().orElse(null);
            if (d != null && d.compareTo(max) > 0) {
                max = d;
            }
        }
        return max;
    }
}
