package dev.atlas.core.observe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a space looked like at one instant: its views, its threads and their views, and
 * the migrations still running. Each part is read without stopping anything, so the
 * parts may be a few microseconds apart.
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=describe}
 *
 * <p>Implementation notes: the space fills a {@link Builder} with plain values while it
 * walks its registry; plain loops and sorts, no streams, because a description is taken at
 * the patch instant in a serving JVM (see "The patch path in the serving JVM" in
 * ARCHITECTURE.md).
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

    /** Starts a description of {@code space} whose default view is {@code defaultViewId}. */
    public static Builder builder(String space, long defaultViewId) {
        return new Builder(space, defaultViewId);
    }

    /** Collects the rows of one description; one thread, then {@link #build()}. */
    public static final class Builder {
        private final String space;
        private final long defaultViewId;
        private final List<ViewInfo> views = new ArrayList<>();
        private final List<ThreadInfo> threads = new ArrayList<>();
        private final List<MigrationInfo> migrations = new ArrayList<>();

        private Builder(String space, long defaultViewId) {
            this.space = space;
            this.defaultViewId = defaultViewId;
        }

        /** A view; its {@code divergences} (key names) are listed sorted. */
        public Builder view(long id, String name, long parentId, String state, int boundThreads, int pins,
                            List<String> divergences) {
            List<String> sorted = new ArrayList<>(divergences);
            Collections.sort(sorted);
            views.add(new ViewInfo(id, name, parentId, state, boundThreads, pins, List.copyOf(sorted)));
            return this;
        }

        public Builder thread(long threadId, String name, boolean virtual, long viewId, long pendingViewId,
                              boolean idle, String threadState) {
            threads.add(new ThreadInfo(threadId, name, virtual, viewId, pendingViewId, idle, threadState));
            return this;
        }

        public Builder migration(long id, long targetViewId, String phase, int threadCount, int remaining,
                                 List<String> stragglers) {
            migrations.add(new MigrationInfo(id, targetViewId, phase, threadCount, remaining, List.copyOf(stragglers)));
            return this;
        }

        /** The description, stamped now. */
        public SpaceDescription build() {
            return new SpaceDescription(space, Instant.now(), defaultViewId, List.copyOf(views), List.copyOf(threads),
                    List.copyOf(migrations));
        }
    }

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
