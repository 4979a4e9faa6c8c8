package dev.atlas.bench.ulp;

import dev.atlas.ulp.LaunchException;
import dev.atlas.ulp.ProgramHost;
import dev.atlas.ulp.ProgramIo;
import dev.atlas.ulp.ProgramSpec;
import dev.atlas.ulp.RunningProgram;
import dev.atlas.ulp.ThreadMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Switching between two threads as a host runs two programs' threads: virtual threads on
 * one carrier (user-level switching; {@code -Djdk.virtualThreadScheduler.parallelism=1}) against
 * platform threads (kernel switching), in the same run. ULP-PiP's figures for comparison:
 * 33 ns per context switch, 150 ns per yield.
 *
 * <p>{@code kind}: {@code virtual} and {@code platform} are two plain threads of this JVM; the
 * {@code program-*} kinds are the main threads of two programs running in a {@link ProgramHost}
 * (started once per trial; each invocation hands both a round through the host's channels and
 * waits for both to finish it): {@code program-virtual} with virtual main threads,
 * {@code program-platform} with platform main threads, and {@code program-coupled} with
 * virtual main threads that run the round in {@code Ulp.coupled}, each on its program's own
 * platform thread (the bi-level coupling: a program switch is then a kernel switch).
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

    @Param({"virtual", "platform", "program-virtual", "program-coupled", "program-platform"})
    public String kind;

    private ProgramHost host;
    private Path tmp;
    private final List<RunningProgram> programs = new ArrayList<>();

    @Setup(Level.Trial)
    public void startPrograms() throws IOException, LaunchException {
        if (!kind.startsWith("program-")) {
            return;
        }
        tmp = Files.createTempDirectory("thread-switch");
        Path jar = BenchJars.jar(tmp, "PingPong", BenchJars.PING_PONG, System.getProperty("java.class.path"));
        host = ProgramHost.create();
        ThreadMode mode = kind.equals("program-platform") ? ThreadMode.PLATFORM : ThreadMode.VIRTUAL;
        for (int side = 0; side < 2; side++) {
            ProgramSpec spec = ProgramSpec.ofJar(jar, List.of(Integer.toString(side),
                    kind.equals("program-coupled") ? "coupled" : "direct")).withThreadMode(mode);
            programs.add(host.launch(spec, new ProgramIo(InputStream.nullInputStream(), OutputStream.nullOutputStream(),
                    System.err)));
        }
    }

    @TearDown(Level.Trial)
    public void stopPrograms() throws InterruptedException, IOException {
        if (host == null) {
            return;
        }
        for (int side = 0; side < 2; side++) {
            host.channels().channel("pingpong-" + side).put(new Object[0]);
        }
        for (RunningProgram p : programs) {
            if (p.awaitExit() != 0) {
                throw new IllegalStateException("program " + p.id() + " of " + kind + " exited " + p.awaitExit());
            }
        }
        host.close();
        HarnessProcesses.deleteTree(tmp);
    }

    /** One round of {@code op} played by the two programs; returns once both finished it. */
    private long round(String op) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(2);
        AtomicLong yields = new AtomicLong();
        Object[] r = {op, new AtomicInteger(), new Thread[2], new CountDownLatch(2), SWITCHES, yields, done};
        for (int side = 0; side < 2; side++) {
            host.channels().channel("pingpong-" + side).put(r);
        }
        done.await();
        return yields.get();
    }

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
    public long parkUnpark() throws InterruptedException {
        if (host != null) {
            return round("parkUnpark");
        }
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
        if (host != null) {
            return round("yield");
        }
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
