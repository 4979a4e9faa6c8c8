package dev.atlas.demo.runtime;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Request latency and throughput in the steady window before the migration and in the
 * window that starts with it, side by side, for the pool workers and the virtual threads.
 */
final class LatencyTable {
    private static final String ROW = "  %-16s %-22s %9s %9s %9s %9s %9s%n";
    private static final List<WorkerKind> KINDS = List.of(WorkerKind.POOL, WorkerKind.VIRTUAL);

    private record Windows(LatencyStats steady, LatencyStats during) {}

    private final Map<WorkerKind, Windows> stats = new EnumMap<>(WorkerKind.class);
    private final String windowLength;

    /**
     * @param migrationStart when the migration was requested (System.nanoTime)
     * @param window         length of each window
     */
    LatencyTable(Recorder recorder, long migrationStart, Duration window) {
        long w = window.toNanos();
        this.windowLength = Fmt.seconds(w);
        for (WorkerKind kind : KINDS) {
            stats.put(kind, new Windows(
                    LatencyStats.of(recorder.latencies(kind, migrationStart - w, migrationStart), window),
                    LatencyStats.of(recorder.latencies(kind, migrationStart, migrationStart + w), window)));
        }
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("Requests before and during the migration (pool: latency from the scheduled start;"
                + " virtual threads: from the actual start)\n");
        sb.append(Fmt.f(ROW, "WORKERS", "WINDOW", "REQUESTS", "REQ/S", "P50 us", "P99 us", "MAX us"));
        for (WorkerKind kind : KINDS) {
            Windows s = stats.get(kind);
            if (s.steady().count() == 0 && s.during().count() == 0) continue;
            sb.append(row(label(kind), "steady, " + windowLength + " before", s.steady()));
            sb.append(row("", "migration, first " + windowLength, s.during()));
        }
        return sb.toString();
    }

    /** "pool p99 1.3 -> 2.0 ms, virtual threads p99 0.6 -> 0.7 ms (steady -> migration window)". */
    String p99Summary() {
        StringBuilder sb = new StringBuilder("p99 latency steady -> during: ");
        String sep = "";
        for (WorkerKind kind : KINDS) {
            Windows s = stats.get(kind);
            if (s.steady().count() == 0 && s.during().count() == 0) continue;
            sb.append(sep).append(label(kind)).append(' ').append(Fmt.micros(s.steady().p99Nanos())).append(" -> ")
                    .append(Fmt.micros(s.during().p99Nanos())).append(" us");
            sep = ", ";
        }
        return sb.toString();
    }

    private static String label(WorkerKind kind) {
        return kind == WorkerKind.POOL ? "pool workers" : "virtual threads";
    }

    private static String row(String who, String window, LatencyStats s) {
        return Fmt.f(ROW, who, window, Fmt.count(s.count()), Fmt.count(Math.round(s.perSecond())),
                Fmt.micros(s.p50Nanos()), Fmt.micros(s.p99Nanos()), Fmt.micros(s.maxNanos()));
    }
}
