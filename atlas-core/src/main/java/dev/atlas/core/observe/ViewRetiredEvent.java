package dev.atlas.core.observe;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR: a view became unreachable and its cleanup actions ran; the event's duration is the cleanup. */
@Name("dev.atlas.ViewRetired")
@Label("View Retired")
@Category({"Atlas", "Views"})
@StackTrace(false)
public final class ViewRetiredEvent extends jdk.jfr.Event {
    @Label("View") public long viewId;
    @Label("Name") public String viewName;
    @Label("Lifetime") @Timespan(Timespan.NANOSECONDS) public long lifetimeNanos;
    @Label("Cleanup Actions") public int cleanupActions;
    @Label("Failed Cleanup Actions") public int failedCleanupActions;
}
