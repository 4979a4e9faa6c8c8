package dev.atlas.bench.ulp;

import dev.atlas.ulp.ProgramHost;
import dev.atlas.ulp.ProgramIo;
import dev.atlas.ulp.ProgramSpec;
import dev.atlas.ulp.RunningProgram;
import dev.atlas.ulp.ThreadMode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Many idle programs alive at once in one host, and the memory each costs, against one JVM
 * per program ({@code java -jar} of the same idle jar, its resident set once it is ready),
 * in the same run. An idle program prints {@code ready} and waits for the end of its
 * standard input; all {@code count} are started, then counted alive, then their input ends
 * and every one must exit with status 0.
 *
 * <p>Per program: the growth of the host's resident set (VmRSS), of its heap after a full
 * GC, and of its metaspace, divided by {@code count}. Both thread modes are measured: the
 * main thread a virtual thread (user-level switching) or a platform thread of its own.
 *
 * <p>Usage: {@code java -cp atlas-bench/target/atlas-bench.jar dev.atlas.bench.ulp.IdleProgramsHarness [count=1000]}
 */
public final class IdleProgramsHarness {
    private IdleProgramsHarness() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path tmp = Files.createTempDirectory("ulp-idle-bench");
        Path jar = BenchJars.jar(tmp, "Idle", BenchJars.IDLE);
        System.out.printf(Locale.ROOT, "IdleProgramsHarness count=%d cpus=%d maxHeap=%d MiB%n", count,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        List<Double> jvmRss = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jvmRss.add((double) separateJvmRssKiB(jar));
        }
        double perJvm = BenchJars.median(jvmRss);
        System.out.printf(Locale.ROOT, "one JVM per program (java -jar Idle.jar, ready):   RSS median %8.0f KiB%n", perJvm);
        try (ProgramHost host = ProgramHost.create()) {
            runIdle(host, jar, 20, ThreadMode.VIRTUAL, perJvm, false);   // warm-up: the host's own classes
            for (ThreadMode mode : ThreadMode.values()) {
                runIdle(host, jar, count, mode, perJvm, true);
            }
        }
    }

    private static void runIdle(ProgramHost host, Path jar, int count, ThreadMode mode, double perJvmKiB, boolean report)
            throws Exception {
        long pid = ProcessHandle.current().pid();
        settle();
        long rss0 = BenchJars.rssKiB(pid);
        long heap0 = heapUsed();
        long meta0 = metaspaceUsed();
        CountDownLatch ready = new CountDownLatch(count);
        CountDownLatch release = new CountDownLatch(1);
        List<RunningProgram> programs = new ArrayList<>(count);
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            ProgramSpec spec = ProgramSpec.ofJar(jar, List.of()).withThreadMode(mode);
            programs.add(host.launch(spec, new ProgramIo(new BlockedInput(release), new ReadySignal(ready), OutputStream.nullOutputStream())));
        }
        if (!ready.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException(ready.getCount() + " of " + count + " programs never said ready");
        }
        double startMs = (System.nanoTime() - t0) / 1e6;
        int alive = host.programs().size();
        settle();
        long rss1 = BenchJars.rssKiB(pid);
        long heap1 = heapUsed();
        long meta1 = metaspaceUsed();
        release.countDown();
        for (RunningProgram p : programs) {
            int status = p.awaitExit();
            if (status != 0) {
                throw new IllegalStateException(p + " exited with " + status);
            }
        }
        if (!report) {
            return;
        }
        double rssPer = (rss1 - rss0) / (double) count;
        System.out.printf(Locale.ROOT, "%d idle programs (%s main thread): all ready in %8.1f ms, alive at once %d;"
                        + " per program: RSS %6.1f KiB, heap %6.1f KiB, metaspace %6.1f KiB | JVM per program / host: %5.1fx%n",
                count, mode.name().toLowerCase(Locale.ROOT), startMs, alive, rssPer, (heap1 - heap0) / 1024.0 / count,
                (meta1 - meta0) / 1024.0 / count, perJvmKiB / rssPer);
    }

    /** Resident set of {@code java -jar jar} once it printed ready. */
    private static long separateJvmRssKiB(Path jar) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            if (!"ready".equals(line)) {
                throw new IllegalStateException("java -jar " + jar + " printed " + line);
            }
            long rss = BenchJars.rssKiB(p.pid());
            p.getOutputStream().close();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("java -jar " + jar + " exited with " + p.exitValue());
            }
            return rss;
        }
    }

    /** Three full GCs, then until the heap regions they gave back have left the resident set ({@link HeapResidency}). */
    private static void settle() throws IOException, InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        HeapResidency.settled(Path.of(System.getProperty("java.home"), "bin", "jcmd"), ProcessHandle.current().pid());
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long metaspaceUsed() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) {
                used += pool.getUsage().getUsed();
            }
        }
        return used;
    }

    /** A standard input that ends when {@code release} opens. */
    private static final class BlockedInput extends InputStream {
        private final CountDownLatch release;

        BlockedInput(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public int read() throws java.io.IOException {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException("idle program interrupted");
            }
            return -1;
        }
    }

    /** A standard output that counts down {@code ready} at the program's first write. */
    private static final class ReadySignal extends OutputStream {
        private final CountDownLatch ready;
        private boolean said;

        ReadySignal(CountDownLatch ready) {
            this.ready = ready;
        }

        @Override
        public synchronized void write(int b) {
            signal();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            signal();
        }

        private void signal() {
            if (!said) {
                said = true;
                ready.countDown();
            }
        }
    }
}
