package dev.atlas.demo.runtime;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.LongStream;

/**
 * Hands each thread its own {@link RequestLog} and, once the load has stopped, answers
 * questions over all of them: latencies in a time window, requests per outcome.
 */
final class Recorder {
    private final ConcurrentLinkedQueue<RequestLog> logs = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<RequestLog> local = ThreadLocal.withInitial(this::newLog);

    /** The calling thread's log. */
    RequestLog log() {
        return local.get();
    }

    private RequestLog newLog() {
        RequestLog log = new RequestLog(WorkerKind.of(Thread.currentThread().getName()));
        logs.add(log);
        return log;
    }

    /** Latencies (ns) of the requests of {@code kind} that ended in [from, to). Call after the load stopped. */
    long[] latencies(WorkerKind kind, long fromNanos, long toNanos) {
        LongStream.Builder out = LongStream.builder();
        for (RequestLog log : logs) {
            if (log.kind() != kind) continue;
            for (int i = 0; i < log.size(); i++) {
                long end = log.endNanos(i);
                if (end - fromNanos >= 0 && end - toNanos < 0) {
                    out.add(log.latencyNanos(i));
                }
            }
        }
        return out.build().toArray();
    }

    /** Requests per outcome, over every thread. Call after the load stopped. */
    Map<RequestOutcome, Long> outcomes() {
        Map<RequestOutcome, Long> counts = new EnumMap<>(RequestOutcome.class);
        for (RequestOutcome o : RequestOutcome.values()) counts.put(o, 0L);
        for (RequestLog log : logs) {
            for (int i = 0; i < log.size(); i++) {
                counts.merge(log.outcome(i), 1L, Long::sum);
            }
        }
        return counts;
    }

    /** Requests whose result was out of range, per handler outcome. Call after the load stopped. */
    Map<RequestOutcome, Long> invalidResults() {
        Map<RequestOutcome, Long> counts = new EnumMap<>(RequestOutcome.class);
        for (RequestOutcome o : RequestOutcome.values()) counts.put(o, 0L);
        for (RequestLog log : logs) {
            for (int i = 0; i < log.size(); i++) {
                if (!log.valid(i)) counts.merge(log.outcome(i), 1L, Long::sum);
            }
        }
        return counts;
    }
}
