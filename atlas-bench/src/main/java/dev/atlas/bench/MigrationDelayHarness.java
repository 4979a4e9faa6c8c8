package dev.atlas.bench;

import dev.atlas.bench.delay.DelayBenchmark;
import dev.atlas.bench.delay.DelayOptions;
import dev.atlas.core.MigrationReport;
import dev.atlas.core.ThreadProgress;
import dev.atlas.core.quiescence.QuiescentThreadPool;

/**
 * End-to-end harness: the delay from a migration request to each thread being migrated,
 * against its natural baseline, the time until that thread's next quiescence point.
 *
 * <p>Run: {@code java -cp atlas-bench/target/atlas-bench.jar dev.atlas.bench.MigrationDelayHarness [options]}
 * ({@code --help} lists them; {@code --quick} is a ~10 s smoke run; the defaults take under a minute
 * and a half).
 *
 * <h2>Scenarios</h2>
 * <ul>
 *   <li><b>busy</b>: N platform threads (default 4 and 16), each looping
 *       {@code try (scope) { W µs of CPU work } space.quiescent();} for W in {10, 100, 1000} µs.
 *       The work is a fixed amount of arithmetic calibrated at start to take W µs on one
 *       otherwise idle thread. Baselines: W itself (the expected wait for the next
 *       quiescence point is about W/2, at most W, if the thread has a CPU), and the
 *       <i>measured</i> time from the request to the first quiescence point the thread
 *       reached after it (each worker timestamps its quiescence points), which also
 *       includes the time the thread waits for a CPU on this oversubscribed machine.</li>
 *   <li><b>idle</b>: a {@link QuiescentThreadPool} of N threads with no tasks, all blocked in
 *       {@code IdleAwareBlockingQueue.take()}. Baseline: zero; the migrator is expected to
 *       move each of them at once, within {@code start()}.</li>
 *   <li><b>virtual</b>: 200 virtual threads looping like the busy workers with W = 100 µs and a
 *       100 µs park after each quiescence point, so that the two carriers take turns running
 *       them. Baselines as for busy. ({@code --virtual-sleep 0} uses {@link Thread#yield()}
 *       instead; with two carriers the JDK 25 scheduler can leave yield-looping virtual
 *       threads unscheduled for seconds, and a thread that does not run reaches no
 *       quiescence point, so a migration may time out naming them as stragglers.)</li>
 * </ul>
 *
 * <h2>Per scenario</h2>
 * Workers warm up (with a few unrecorded migrations), then alternate windows of equal length,
 * quiet and migrating: Q M Q M Q M Q by default ({@code --rounds 3}). A migrating window
 * holds its share of the M migrations (default 50), paced evenly across it, back and forth
 * between two views (or into freshly derived views with {@code --fresh-views}, retiring the
 * one left), each awaited before the next; it lasts longer than the quiet ones if the
 * migrations take longer than the window. Recorded into HdrHistograms, per thread per
 * migration:
 * <ul>
 *   <li><b>delay</b>: {@link ThreadProgress#delay()} from the {@link MigrationReport}
 *       (request to move, measured by atlas; its clock starts when the {@code Migration} object
 *       is constructed inside {@code start()});</li>
 *   <li><b>e2e</b>: the same, on the harness's clock: from just before {@code start()} is
 *       called to the moment the worker's {@code quiescent()} call returned in the new view
 *       (for idle threads, which do not run, the {@code start()} call is shown instead);</li>
 *   <li><b>next QP</b>: from the harness's timestamp just before {@code start()} to the first
 *       quiescence point the worker reached after it (the natural baseline);</li>
 *   <li><b>excess</b>: from that first quiescence point to the moment the worker's
 *       {@code quiescent()} call returned in the new view; small if the worker moved at its
 *       first quiescence point after the request, about one more work period if the ticket
 *       reached it too late for that one;</li>
 *   <li><b>adopt call</b>: how long the worker's {@code quiescent()} call that moved it took
 *       (the work a migration puts on a worker); and, per migration, the longest such call
 *       ("last"; the thread that settles the last entry also finishes the migration in that
 *       call, and the longest call is usually that one);</li>
 *   <li><b>start()</b>: how long the operator's {@code start()} call took (for idle
 *       threads it includes moving them);</li>
 *   <li><b>missed after start()</b>: quiescence points a worker passed after {@code start()}
 *       had returned (so after its ticket was installed) without moving; must be 0.</li>
 * </ul>
 * Throughput is the sum of worker iterations per second in each window. Each migrating
 * window is compared with the mean of the quiet windows on either side of it (which cancels
 * slow drifts in the machine's load); the mean of those ratios shows whether anybody waited
 * for the migrations (target about 1.0), and the spread of the quiet windows shows the noise.
 *
 * <p>Note on JIT state: with the defaults the migration path runs a few hundred times per
 * scenario, so it is mostly interpreted or C1-compiled, as it would be in a process that
 * migrates rarely. {@code --scenarios idle --warmup-migrations 5000} shows the JIT-warm cost.
 *
 * <h2>Code</h2>
 * This class is the entry point; the harness lives in {@code dev.atlas.bench.delay}: {@code DelayOptions}
 * (command line), {@code DelayBenchmark} (runs the scenarios), {@code LoopScenario} / {@code LoopWorker}
 * (busy and virtual), {@code IdleScenario}, {@code DelayRecorder} (the HdrHistograms of a
 * {@code ScenarioResult}), {@code ThroughputWindows} (pacing and rates) and {@code DelayReport} (the tables).
 */
public final class MigrationDelayHarness {

    private MigrationDelayHarness() {
    }

    public static void main(String[] args) throws Exception {
        DelayBenchmark.run(DelayOptions.parse(args));
    }
}
