package dev.atlas.core.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR: one thread moved into a migration's target view. Committed by the thread that moved it. */
@Name("dev.atlas.ThreadMigrated")
@Label("Thread Migrated")
@Category({"Atlas", "Views"})
@Description("A thread moved into a new view at its quiescence point")
@StackTrace(false)
public final class ThreadMigratedEvent extends jdk.jfr.Event {
    @Label("Migration") public long migrationId;
    @Label("From View") public long fromView;
    @Label("To View") public long toView;
    @Label("Migrated Thread") public String migratedThread;
    @Label("Delay") @Description("From the migration request to the move") @Timespan(Timespan.NANOSECONDS)
    public long delayNanos;
}
