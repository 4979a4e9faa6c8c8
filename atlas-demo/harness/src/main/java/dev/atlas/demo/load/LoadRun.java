package dev.atlas.demo.load;

import java.util.List;

/**
 * One generator run as written to its result file ({@link LoadCsv}).
 *
 * @param startEpochMicros wall-clock time of the run's start (intended time of request 0), in
 *                         microseconds since the epoch, to line the windows up with events
 *                         timed by another process
 * @param rate             requests per second
 * @param sent             requests sent
 * @param unfinished       requests without an outcome at the end of the drain
 * @param maxSendLagMicros how far sending fell behind schedule at worst (generator overhead)
 * @param p99SendLagMicros 99th percentile of that lag
 * @param cpuMillis        CPU time used by the generator process
 * @param windows          the windows, in order
 */
public record LoadRun(long startEpochMicros, int rate, long sent, long unfinished, long maxSendLagMicros,
                      long p99SendLagMicros, long cpuMillis, List<WindowStats> windows) {
    public LoadRun {
        windows = List.copyOf(windows);
    }

    /** The windows that start at or after {@code fromMillis} and end at or before {@code toMillis}. */
    public List<WindowStats> between(long fromMillis, long toMillis) {
        return windows.stream().filter(w -> w.startMillis() >= fromMillis && w.endMillis() <= toMillis).toList();
    }

    /** Length of one window in milliseconds. */
    public long windowMillis() {
        return windows.isEmpty() ? 0 : windows.getFirst().lengthMillis();
    }
}
