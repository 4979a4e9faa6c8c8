package dev.atlas.bench.ulp;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Switching between two threads as a host runs two programs' threads: virtual threads on
 * one carrier (user-level switching; {@code -Djdk.virtualThreadScheduler.parallelism=1}) against
 * platform threads (kernel switching), in the same run. ULP-PiP's figures for comparison:
 * 33 ns per context switch, 150 ns per yield.
 *
 * <ul>
 *   <li>{@code parkUnpark}: two threads hand a turn back and forth with
 *       {@code LockSupport.park/unpark}; one operation is one hand-over (a switch).</li>
 *   <li>{@code yield}: two threads call {@code Thread.yield()} in turn until they have done
 *       it {@value #SWITCHES} times together; one operation is one yield.</li>
 * </ul>
 *
 * <p>The platform threads are not pinned to a core: on a machine with two or more cores the
 * scheduler may run the two sides on different cores, and a hand-over is then a cross-core
 * wake-up rather than a context switch on one core. To measure the single-core switch, pin
 * the whole benchmark to one CPU (the forked JVM inherits the affinity; the virtual threads'
 * one carrier then shares that core too):
 * {@snippet lang=sh :
 * taskset -c 0 java -jar atlas-bench/target/atlas-bench.jar ThreadSwitchBenchmark
 * }
 *
 * <p>Usage: {@code java -jar atlas-bench/target/atlas-bench.jar ThreadSwitchBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.virtualThreadScheduler.maxPoolSize=1"})
public class ThreadSwitchBenchmark {
    static final int SWITCHES = 20_000;

    @Param({"virtual", "platform"})
    public String kind;

    private Thread.Builder builder() {
        return kind.equals("virtual") ? Thread.ofVirtual() : Thread.ofPlatform().daemon(true);
    }

    /** Whose turn it is (0 or 1); each side waits for its turn, passes it on and unparks the other. */
    private static final class Turn {
        volatile int turn;
        volatile Thread[] sides;
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public int parkUnpark() throws InterruptedException {
        Turn t = new Turn();
        Thread a = builder().unstarted(() -> pingPong(t, 0));
        Thread b = builder().unstarted(() -> pingPong(t, 1));
        t.sides = new Thread[] {a, b};
        a.start();
        b.start();
        a.join();
        b.join();
        return t.turn;
    }

    private static void pingPong(Turn t, int me) {
        Thread other = t.sides[1 - me];
        for (int i = 0; i < SWITCHES / 2; i++) {
            while (t.turn != me) {
                LockSupport.park(t);
            }
            t.turn = 1 - me;
            LockSupport.unpark(other);
        }
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public long yield() throws InterruptedException {
        AtomicLong yields = new AtomicLong();
        Runnable body = () -> {
            while (yields.getAndIncrement() < SWITCHES) {
                Thread.yield();
            }
        };
        Thread a = builder().start(body);
        Thread b = builder().start(body);
        a.join();
        b.join();
        return yields.get();
    }
}
