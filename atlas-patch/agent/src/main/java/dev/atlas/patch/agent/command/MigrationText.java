package dev.atlas.patch.agent.command;

import dev.atlas.core.Migration;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.Straggler;
import dev.atlas.core.ThreadProgress;
import dev.atlas.core.observe.SpaceDescription;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/** How migrations, their threads and their stragglers are shown in replies. Stateless. */
final class MigrationText {
    /** Frames shown per straggler: enough to see the request it is in. */
    static final int STACK_FRAMES = 48;

    private MigrationText() {}

    static String ms(Duration d) {
        return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }

    /** One line per thread: name, state, delay. */
    static String threads(MigrationReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "    %-32s %-10s %s%n", "THREAD", "STATE", "MOVED AFTER"));
        for (ThreadProgress t : r.threads()) {
            sb.append(String.format(Locale.ROOT, "    %-32s %-10s %s%n", t.threadName(), t.state(),
                    t.delay().isPresent() ? ms(t.delay().get()) : "-"));
        }
        return sb.toString();
    }

    /** Every straggler with its state and stack. */
    static String stragglers(List<Straggler> stragglers) {
        StringBuilder sb = new StringBuilder();
        for (Straggler s : stragglers) {
            sb.append("  ").append(s.render(STACK_FRAMES).replace("\n", "\n  ")).append('\n');
        }
        return sb.toString();
    }

    static String names(List<Straggler> stragglers) {
        StringJoiner j = new StringJoiner(",");
        for (Straggler s : stragglers) {
            j.add(s.threadName());
        }
        return j.toString();
    }

    /** Threads of the description that are not in {@code viewId}. */
    static long threadsOutside(SpaceDescription s, long viewId) {
        long n = 0;
        for (SpaceDescription.ThreadInfo t : s.threads()) {
            if (t.viewId() != viewId) {
                n++;
            }
        }
        return n;
    }

    /** The migrations still running, with full stacks of their stragglers. */
    static String running(List<Migration> running) {
        if (running.isEmpty()) {
            return "No migration is running.\n";
        }
        StringBuilder sb = new StringBuilder("Running migrations:\n");
        for (Migration m : running) {
            List<Straggler> st = m.stragglers();
            sb.append("  migration ").append(m.id()).append(" -> view ").append(m.target().id()).append(" '")
                    .append(m.target().name()).append("': ").append(m.phase()).append(", ").append(m.remaining())
                    .append(" of ").append(m.size()).append(" thread(s) not moved yet\n");
            sb.append(stragglers(st).indent(2));
        }
        return sb.toString();
    }
}
