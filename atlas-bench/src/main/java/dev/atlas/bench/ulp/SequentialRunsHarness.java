package dev.atlas.bench.ulp;

import dev.atlas.bench.LeastSquares;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many sequential {@code atlas run}s of the same programs in one host daemon, and what the
 * host holds after them: loaded classes, live threads, heap and metaspace used after a full
 * GC, and the process's resident set. A host that leaked a program's loader, threads or
 * streams would grow with the runs; this one should stay flat.
 *
 * <p>The host is the user's daemon, started by the first run in a fresh host directory and
 * reached through the native client ({@code atlas-ulp/target/native/atlas-run}), as
 * {@code ./atlas run} does. Each case is warmed up (20 runs), then sampled before the first
 * measured run and after every {@code runs/10} runs: {@code jcmd <pid> GC.run} (a full
 * collection, which also unloads the classes of unreachable loaders), then the host's
 * performance counters ({@code jcmd <pid> PerfCounter.print}) and {@code /proc/<pid>/status},
 * once the heap regions that collection gave back have left the resident set (G1 uncommits them
 * concurrently; see {@link HeapResidency}). The resident set is reported in all and outside the
 * heap's address range, beside the heap committed: the first follows the heap's sizing, the
 * second the JVM's own memory (code cache, metaspace, GC structures, stacks, malloc arenas).
 * Every run must exit 0 with the expected output, or the harness stops. At the end of each case
 * it prints each figure's least-squares growth over the last half of the runs and whether that is
 * flat (see {@link #FLATNESS}); it exits 1 if a case's classes, threads or resident set grew.
 *
 * <p>Usage (from the repository root, after {@code ./atlas build}):
 * {@snippet lang=sh :
 * java -cp atlas-bench/target/atlas-bench.jar dev.atlas.bench.ulp.SequentialRunsHarness [runs=1000] [cases=hello,ecj]
 * }
 * Paths: {@code -Datlas.root} (default: the working directory) locates the client, the ulp jar
 * and the programs in {@code atlas-ulp/target/programs}. With {@code -Datlas.bench.nmt=true} the
 * host runs with {@code -XX:NativeMemoryTracking=summary}: a baseline is taken after the warm-up
 * and {@code jcmd <pid> VM.native_memory summary.diff} is printed after the last run (where the
 * resident set went, by JVM subsystem). Extra host options: {@code -Datlas.bench.hostOpts="..."}.
 */
public final class SequentialRunsHarness {
    private static final int WARMUP = 20;

    private final Path client;
    private final Path ulpJar;
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    private final Path tmp;
    private final Path hostDir;
    private final boolean nmt = Boolean.getBoolean("atlas.bench.nmt");
    private final List<String> notFlat = new ArrayList<>();   // the cases with a figure that grew over the last half
    private final String hostOpts = (System.getProperty("atlas.bench.hostOpts", "")
            + (nmt ? " -XX:NativeMemoryTracking=summary" : "")).trim();

    private SequentialRunsHarness(Path root, Path tmp) {
        this.client = root.resolve("atlas-ulp/target/native/atlas-run");
        this.ulpJar = root.resolve("atlas-ulp/target/atlas-ulp.jar");
        this.tmp = tmp;
        this.hostDir = tmp.resolve("host");
    }

    /** One program run again and again: its key, name, jar, arguments, inputs, and the stdout every run must print. */
    private record Case(String key, String name, Path jar, List<String> args, Map<String, String> inputs, String expectedOut) {
    }

    /**
     * What the host held at one point: the resident set in all ({@code rssKiB}) and outside the
     * Java heap's address range ({@code rssOutsideHeapKiB}: code cache, metaspace, GC data
     * structures, thread stacks, malloc arenas), beside the heap the JVM has committed.
     */
    private record Sample(int runs, long classes, long threads, long heapKiB, long metaspaceKiB, long heapCommittedKiB,
                          long rssKiB, long rssOutsideHeapKiB, double load) {
    }

    /** One figure of a sample, by name, and how much it may move over the last half and still be flat. */
    private record Metric(String name, ToLongFunction<Sample> value, double flatFraction, long flatFloor) {
    }

    /**
     * What "flat over the last half" means for each figure: its least-squares growth over the
     * last half of the runs (slope times runs) is below {@code flatFraction} of its mean there,
     * or below {@code flatFloor} (classes: 1% or 10 classes; threads: less than one; RSS: 2%).
     */
    private static final List<Metric> FLATNESS = List.of(
            new Metric("classes", Sample::classes, 0.01, 10),
            new Metric("threads", Sample::threads, 0, 1),
            new Metric("RSS (KiB)", Sample::rssKiB, 0.02, 0),
            new Metric("RSS outside the heap (KiB)", Sample::rssOutsideHeapKiB, 0.02, 0));

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        List<String> only = List.of((args.length > 1 ? args[1] : "hello,ecj").split(","));
        if (runs < 10) {
            throw new IllegalArgumentException("runs " + runs + ": expected at least 10 (sampled every runs/10)");
        }
        Path root = Path.of(System.getProperty("atlas.root", "")).toAbsolutePath();
        Path tmp = Files.createTempDirectory("ulp-seq-bench");
        SequentialRunsHarness h = new SequentialRunsHarness(root, tmp);
        try {
            h.run(runs, only, root.resolve("atlas-ulp/target/programs"));
        } finally {
            h.exec(List.of(h.client.toString(), "host", "stop"), tmp);
            HarnessProcesses.deleteTree(tmp);
        }
        if (!h.notFlat.isEmpty()) {
            System.out.println("not flat over the last half: " + String.join(", ", h.notFlat));
            System.exit(1);
        }
    }

    private void run(int runs, List<String> only, Path programs) throws Exception {
        for (Path p : List.of(client, ulpJar, programs.resolve("ecj.jar"))) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(p + " is missing: build first (./atlas build)");
            }
        }
        Path hello = BenchJars.jar(tmp, "Hello", BenchJars.HELLO);
        List<Case> cases = List.of(
                new Case("hello", "hello-world jar", hello, List.of("world"), Map.of(), "hello world\n"),
                new Case("ecj", "ecj 3.42 compiling one class", programs.resolve("ecj.jar"),
                        List.of("-17", "-proc:none", "-d", "out", "src/p/A.java"),
                        Map.of("src/p/A.java", "package p;\npublic class A { public static void main(String[] a) { System.out.println(\"hi\"); } }\n"),
                        ""));
        System.out.printf(Locale.ROOT, "SequentialRunsHarness runs=%d per program, java=%s cpus=%d%n", runs, java,
                Runtime.getRuntime().availableProcessors());
        for (Case c : cases) {
            if (only.contains(c.key())) {
                measure(c, runs);
            }
        }
    }

    private void measure(Case c, int runs) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("work-" + c.name().replaceAll("[^a-z]", "")));
        for (Map.Entry<String, String> in : c.inputs().entrySet()) {
            Path p = dir.resolve(in.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, in.getValue());
        }
        List<String> cmd = new ArrayList<>(List.of(client.toString(), "run", c.jar().toString()));
        cmd.addAll(c.args());
        for (int i = 0; i < WARMUP; i++) {
            check(c, exec(cmd, dir));
        }
        long pid = hostPid(dir);
        if (nmt) {
            jcmd(pid, "VM.native_memory", "baseline");
        }
        int every = runs / 10;
        List<Sample> samples = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%n%s: %d runs after %d warm-up runs (each sample printed as it is taken)%n",
                c.name(), runs, WARMUP);
        System.out.printf(Locale.ROOT, "%7s %9s %8s %11s %15s %15s %10s %17s %6s%n", "runs", "classes", "threads",
                "heap(KiB)", "metaspace(KiB)", "committed(KiB)", "RSS(KiB)", "RSS-no-heap(KiB)", "load");
        samples.add(print(sample(pid, 0)));
        long t0 = System.nanoTime();
        for (int i = 1; i <= runs; i++) {
            check(c, exec(cmd, dir));
            if (i % every == 0) {
                samples.add(print(sample(pid, i)));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%s: %d runs, %.1f s (samples included)%n", c.name(), runs, seconds);
        Sample first = samples.getFirst();
        Sample last = samples.getLast();
        System.out.printf(Locale.ROOT, "first to last: classes %+d, threads %+d, heap %+d KiB, metaspace %+d KiB, RSS %+d KiB%n",
                last.classes() - first.classes(), last.threads() - first.threads(), last.heapKiB() - first.heapKiB(),
                last.metaspaceKiB() - first.metaspaceKiB(), last.rssKiB() - first.rssKiB());
        System.out.printf(Locale.ROOT, "least-squares slope per 100 runs over %d samples: classes %+.1f, threads %+.2f, "
                        + "heap %+.1f KiB, metaspace %+.1f KiB, RSS %+.1f KiB%n", samples.size(),
                slope(samples, Sample::classes), slope(samples, Sample::threads), slope(samples, Sample::heapKiB),
                slope(samples, Sample::metaspaceKiB), slope(samples, Sample::rssKiB));
        boolean flat = reportFlatness(samples, runs);
        if (nmt) {
            System.out.printf(Locale.ROOT, "%nnative memory since the baseline (after the warm-up):%n%s",
                    jcmd(pid, "VM.native_memory", "summary.diff"));
        }
        if (!flat) {
            notFlat.add(c.key());
        }
    }

    private static Sample print(Sample s) {
        System.out.printf(Locale.ROOT, "%7d %9d %8d %11d %15d %15d %10d %17d %6.1f%n", s.runs(), s.classes(), s.threads(),
                s.heapKiB(), s.metaspaceKiB(), s.heapCommittedKiB(), s.rssKiB(), s.rssOutsideHeapKiB(), s.load());
        System.out.flush();
        return s;
    }

    /**
     * Prints, for each figure of {@link #FLATNESS}, its least-squares growth over the last
     * half of the runs (the samples from run {@code runs/2} on) and whether that is flat;
     * returns whether all are.
     */
    private static boolean reportFlatness(List<Sample> samples, int runs) {
        List<Sample> lastHalf = new ArrayList<>();
        for (Sample s : samples) {
            if (s.runs() >= runs / 2) {
                lastHalf.add(s);
            }
        }
        boolean all = true;
        StringBuilder line = new StringBuilder("last half (runs " + lastHalf.getFirst().runs() + " to " + runs + ", "
                + lastHalf.size() + " samples), least-squares growth:");
        for (Metric m : FLATNESS) {
            double growth = LeastSquares.slope(lastHalf, Sample::runs, m.value()) * (runs - lastHalf.getFirst().runs());
            double mean = 0;
            for (Sample s : lastHalf) {
                mean += m.value().applyAsLong(s);
            }
            mean /= lastHalf.size();
            double bound = Math.max(m.flatFraction() * mean, m.flatFloor());
            boolean flat = Math.abs(growth) < bound;
            all &= flat;
            line.append(String.format(Locale.ROOT, " %s %+.1f (%s, bound %.0f)", m.name(), growth, flat ? "flat" : "GROWS", bound));
            line.append(';');
        }
        System.out.println(line.substring(0, line.length() - 1));
        return all;
    }

    private String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        HarnessProcesses.Result r = exec(cmd, tmp);
        if (r.status() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + r.out());
        }
        return r.out();
    }

    private static void check(Case c, HarnessProcesses.Result r) {
        if (r.status() != 0 || !r.out().equals(c.expectedOut())) {
            throw new IllegalStateException(c.name() + ": a run exited " + r.status() + " with stdout '" + r.out()
                    + "', expected 0 and '" + c.expectedOut() + "'");
        }
    }
    /** The least-squares slope of {@code f} against the number of runs, per 100 runs. */
    private static double slope(List<Sample> samples, ToLongFunction<Sample> f) {
        return LeastSquares.slope(samples, Sample::runs, f) * 100;
    }

    private long hostPid(Path dir) throws IOException, InterruptedException {
        HarnessProcesses.Result r = exec(List.of(client.toString(), "host", "status"), dir);
        Matcher m = Pattern.compile("host pid (\\d+)").matcher(r.out());
        if (!m.find()) {
            throw new IllegalStateException("no host pid in 'atlas host status': " + r.out());
        }
        return Long.parseLong(m.group(1));
    }

    private Sample sample(long pid, int runs) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        HeapResidency heap = HeapResidency.settled(jcmd, pid);
        Map<String, Long> c = new HashMap<>();
        for (String line : jcmd(pid, "PerfCounter.print").split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                try {
                    c.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1).trim()));
                } catch (NumberFormatException notANumber) {
                    // a string counter
                }
            }
        }
        long classes = c.getOrDefault("java.cls.loadedClasses", 0L) + c.getOrDefault("java.cls.sharedLoadedClasses", 0L)
                - c.getOrDefault("java.cls.unloadedClasses", 0L) - c.getOrDefault("java.cls.sharedUnloadedClasses", 0L);
        long heapUsed = 0;
        for (Map.Entry<String, Long> e : c.entrySet()) {
            if (e.getKey().startsWith("sun.gc.generation.") && e.getKey().contains(".space.") && e.getKey().endsWith(".used")) {
                heapUsed += e.getValue();
            }
        }
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new Sample(runs, classes, c.getOrDefault("java.threads.live", -1L), heapUsed >> 10,
                c.getOrDefault("sun.gc.metaspace.used", 0L) >> 10, heap.committedKiB(), rss, rss - heap.residentKiB(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** One run: its status and what it printed. */
    private HarnessProcesses.Result exec(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>(Map.of("ATLAS_HOST_DIR", hostDir.toString(),
                "ATLAS_JAVA", java.toString(), "ATLAS_ULP_JAR", ulpJar.toString()));
        if (!hostOpts.isEmpty()) {
            env.put("ATLAS_HOST_JAVA_OPTS", hostOpts);
        }
        return HarnessProcesses.exec(cmd, dir, tmp, env);
    }
}
