package dev.atlas.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JMH profiler for a shared, oversubscribed machine: CPU time of the benchmark's worker
 * threads per operation, and how many CPUs those threads actually got.
 *
 * <p>JMH's primary score is wall-clock time per operation per thread. When other processes
 * compete for the CPUs, a benchmark thread is descheduled for part of the iteration and its
 * wall time per operation grows although the operation did not get more expensive; with two
 * benchmark threads on two vCPUs this inflates the two-thread score whenever anything else
 * runs. CPU time is charged only while the thread runs, so it separates "the operation is
 * more expensive with two threads" (cache-line ping-pong stalls are CPU time) from "the
 * thread did not get a CPU".
 *
 * <p>Reported per iteration (secondary results, averaged over iterations):
 * <ul>
 *   <li>{@code cpu.worker.norm}: sum of the CPU time of the JMH worker threads during the
 *       iteration, divided by the operations of all threads (ns/op);</li>
 *   <li>{@code cpu.worker.util}: that CPU time divided by the iteration's wall time, i.e.
 *       the number of CPUs the workers got (ideal: the thread count).</li>
 * </ul>
 * The window includes JMH's per-iteration synchronisation, so {@code allOps} (which also
 * counts operations done while threads ramp up and down) is the divisor.
 *
 * <p>Usage: {@code -prof dev.atlas.bench.CpuTimeProfiler}.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private static final String WORKER_MARK = "-jmh-worker-";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private Map<Long, Long> before = Map.of();
    private long wallBefore;

    public CpuTimeProfiler() {
        if (!threads.isThreadCpuTimeSupported()) {
            throw new UnsupportedOperationException("thread CPU time is not supported by this JVM");
        }
        threads.setThreadCpuTimeEnabled(true);
    }

    @Override
    public String getDescription() {
        return "CPU time of the JMH worker threads per operation, and CPUs they got";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = workerCpu();
        wallBefore = System.nanoTime();
    }

    @Override
    public List<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                  IterationResult result) {
        long wall = System.nanoTime() - wallBefore;
        long cpu = 0;
        for (Map.Entry<Long, Long> e : workerCpu().entrySet()) {
            cpu += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        long ops = result.getMetadata().getAllOps();
        if (ops <= 0 || wall <= 0) {
            return List.of();
        }
        return List.of(
                new ScalarResult("cpu.worker.norm", (double) cpu / ops, "ns/op", AggregationPolicy.AVG),
                new ScalarResult("cpu.worker.util", (double) cpu / wall, "CPUs", AggregationPolicy.AVG));
    }

    private Map<Long, Long> workerCpu() {
        Map<Long, Long> out = new HashMap<>();
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids, 0);
        for (int i = 0; i < ids.length; i++) {
            ThreadInfo info = infos[i];
            if (info != null && info.getThreadName().contains(WORKER_MARK)) {
                long t = threads.getThreadCpuTime(ids[i]);
                if (t >= 0) {
                    out.put(ids[i], t);
                }
            }
        }
        return out;
    }
}
