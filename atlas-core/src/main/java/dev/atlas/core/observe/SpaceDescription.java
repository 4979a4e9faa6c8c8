package dev.atlas.core.observe;

import java.time.Instant;
import java.util.List;

/**
 * What a space looked like at one instant: its views, its threads and their views, and
 * the migrations still running. Each part is read without stopping anything, so the
 * parts may be a few microseconds apart.
 */
public record SpaceDescription(String space, Instant at, long defaultViewId, List<ViewInfo> views,
                               List<ThreadInfo> threads, List<MigrationInfo> migrations) {

    /** @param parentId -1 for the base view */
    public record ViewInfo(long id, String name, long parentId, String state, int boundThreads, int pins,
                           List<String> divergences) {}

    /** @param pendingViewId the view it will move to at its next quiescence point, or -1 */
    public record ThreadInfo(long threadId, String name, boolean virtual, long viewId, long pendingViewId,
                             boolean idle, String threadState) {}

    public record MigrationInfo(long id, long targetViewId, String phase, int threads, int remaining,
                                List<String> stragglers) {}

    /** A plain-text rendering for terminals and logs. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("space '").append(space).append("' at ").append(at)
                .append(", default view ").append(defaultViewId).append('\n');
        sb.append(String.format("  %-5s %-18s %-7s %-9s %6s %5s  %s%n", "VIEW", "NAME", "PARENT", "STATE", "THREADS", "PINS", "DIVERGES IN"));
        for (ViewInfo v : views) {
            sb.append(String.format("  %-5d %-18s %-7s %-9s %6d %5d  %s%n", v.id(), v.name(),
                    v.parentId() < 0 ? "-" : Long.toString(v.parentId()), v.state(), v.boundThreads(), v.pins(),
                    String.join(", ", v.divergences())));
        }
        sb.append(String.format("  %-8s %-28s %-5s %-8s %-5s %s%n", "THREAD", "NAME", "VIEW", "PENDING", "IDLE", "STATE"));
        for (ThreadInfo t : threads) {
            sb.append(String.format("  %-8d %-28s %-5d %-8s %-5s %s%s%n", t.threadId(), t.name(), t.viewId(),
                    t.pendingViewId() < 0 ? "-" : Long.toString(t.pendingViewId()), t.idle() ? "yes" : "no",
                    t.threadState(), t.virtual() ? " (virtual)" : ""));
        }
        for (MigrationInfo m : migrations) {
            sb.append(String.format("  migration %d -> view %d: %s, %d of %d threads remaining%n",
                    m.id(), m.targetViewId(), m.phase(), m.remaining(), m.threads()));
            for (String s : m.stragglers()) {
                sb.append("    straggler ").append(s).append('\n');
            }
        }
        return sb.toString();
    }
}
