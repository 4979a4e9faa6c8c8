package dev.atlas.core.observe;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR: a migration finished (every thread settled) or its cancellation completed. */
@Name("dev.atlas.MigrationCompleted")
@Label("Migration Completed")
@Category({"Atlas", "Views"})
@StackTrace(false)
public final class MigrationCompletedEvent extends jdk.jfr.Event {
    @Label("Migration") public long migrationId;
    @Label("To View") public long toView;
    @Label("Outcome") public String outcome;
    @Label("Threads") public int threads;
    @Label("Slowest Thread") @Timespan(Timespan.NANOSECONDS) public long maxDelayNanos;
    @Label("Elapsed") @Timespan(Timespan.NANOSECONDS) public long elapsedNanos;
}
