package dev.atlas.demo.runtime;

import dev.atlas.core.MigrationReport;
import dev.atlas.core.ThreadMigrationState;
import dev.atlas.core.ThreadProgress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The per-thread migration delays of a report, one row per platform thread and one
 * summary row for the virtual threads, grouped by kind in order of expected delay.
 */
final class DelayTable {
    private static final String ROW = "  %-18s %-14s %-14s %s%n";

    private DelayTable() {
    }

    static String render(MigrationReport report) {
        StringBuilder sb = new StringBuilder();
        sb.append("Migration delay per thread (from the migrate call to the thread's move)\n");
        sb.append(Fmt.f(ROW, "THREAD", "KIND", "STATE", "DELAY us"));
        Map<WorkerKind, List<ThreadProgress>> byKind = report.threads().stream()
                .collect(Collectors.groupingBy(t -> WorkerKind.of(t.threadName()), TreeMap::new, Collectors.toList()));
        for (WorkerKind kind : List.of(WorkerKind.IDLE, WorkerKind.POOL, WorkerKind.VIRTUAL, WorkerKind.LONG, WorkerKind.OTHER)) {
            List<ThreadProgress> ts = new ArrayList<>(byKind.getOrDefault(kind, List.of()));
            if (ts.isEmpty()) continue;
            ts.sort(Comparator.comparing(DelayTable::delayNanos));
            if (kind == WorkerKind.VIRTUAL) {
                sb.append(virtualSummary(ts));
            } else {
                for (ThreadProgress t : ts) {
                    sb.append(Fmt.f(ROW, t.threadName(), kind.label(), t.state(),
                            t.delay().map(d -> Fmt.f("%9s", Fmt.micros(d))).orElse("  pending")));
                }
            }
        }
        return sb.toString();
    }

    /** One row for all virtual threads: how many reached each state, p50 and max delay. */
    private static String virtualSummary(List<ThreadProgress> sorted) {
        long[] delays = sorted.stream().filter(t -> t.delay().isPresent()).mapToLong(DelayTable::delayNanos).toArray();
        Map<ThreadMigrationState, Long> states = sorted.stream()
                .collect(Collectors.groupingBy(ThreadProgress::state, TreeMap::new, Collectors.counting()));
        String stateText = states.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
        String delayText = delays.length == 0 ? "  pending"
                : Fmt.f("%9s (p50), %s (max)", Fmt.micros(delays[(delays.length - 1) / 2]), Fmt.micros(delays[delays.length - 1]));
        return Fmt.f(ROW, "vthread-* (" + sorted.size() + ")", WorkerKind.VIRTUAL.label(), stateText, delayText);
    }

    private static long delayNanos(ThreadProgress t) {
        return t.delay().map(Duration::toNanos).orElse(Long.MAX_VALUE);
    }
}
