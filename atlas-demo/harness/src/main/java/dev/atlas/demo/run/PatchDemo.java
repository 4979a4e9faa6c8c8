package dev.atlas.demo.run;

import dev.atlas.demo.load.LoadCsv;
import dev.atlas.demo.load.LoadGenerator;
import dev.atlas.demo.load.LoadRun;
import dev.atlas.demo.load.VersionTags;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The patch demo: for each {@link PatchMode}, start the v1 service with the mode's JVM
 * options, put it under constant open-loop load from a separate generator process, apply
 * the change at T, keep the load on, then compare the modes ({@link ComparisonTable}) and
 * chart their tail latency over time ({@link LatencyChart}).
 *
 * {@snippet class=dev.atlas.demo.snippets.HarnessSnippets region=patch-demo}
 *
 * <p>Files in {@link DemoOptions#workDir}: {@code <mode>-load.csv} (the generator's windows,
 * see {@link LoadCsv}), {@code <mode>-service-N.log}, {@code <mode>-load.log}, and the chart.
 * Not thread-safe: one run at a time.
 */
public final class PatchDemo {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How much longer than planned the load may run: the after-change phase is open-ended (it
     * lasts until it has as many answers as the planned one would, counted from when the change
     * settled), and this bounds it when the change never settles.
     */
    static final Duration AFTER_BOUND = Duration.ofSeconds(60);
    /** The most rounds {@link #run(List, int)} runs (about 35 s per mode and round with the defaults). */
    public static final int MAX_ROUNDS = 50;

    private final DemoOptions options;
    private final DemoArtifacts artifacts;
    private final PrintWriter progress;

    /** @param progress receives one line per step (starting the service, the change, ...) */
    public PatchDemo(DemoOptions options, DemoArtifacts artifacts, PrintWriter progress) {
        this.options = options;
        this.artifacts = artifacts;
        this.progress = progress;
    }

    /**
     * The control run (nothing applied at T), then Atlas, HotSwap and restart: the modes of the
     * demo, in the table's order.
     */
    public static List<PatchMode> standardModes() {
        return List.of(new ControlMode(new AtlasMode()), new AtlasMode(), new HotSwapMode(), new RestartMode());
    }

    /**
     * What would stop the demo halfway, one line each (JDK, builds, a writable work
     * directory, free ports); empty if it can run.
     */
    public List<String> environmentProblems() {
        List<String> problems = new ArrayList<>();
        int feature = Runtime.version().feature();
        if (feature < 25) {
            problems.add("the demo runs on JDK " + Runtime.version() + "; it needs JDK 25 or newer (set JAVA_HOME)");
        }
        Path java = javaExecutable();
        if (!Files.isExecutable(java)) {
            problems.add("no java executable at " + java + " to start the service and the load generator with");
        }
        problems.addAll(artifacts.problems());
        for (Path p : generatorClassPath()) {
            if (!Files.exists(p)) {
                problems.add("the load generator's class path entry " + p + " does not exist");
            }
        }
        try {
            Files.createDirectories(options.workDir());
            Path parent = options.png().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            problems.add("cannot create the output directory " + options.workDir() + ": " + e.getMessage());
        }
        try {
            new Ports().free();
        } catch (IOException e) {
            problems.add("cannot get a free TCP port on 127.0.0.1: " + e.getMessage());
        }
        return problems;
    }

    /**
     * Runs every mode in turn (a mode that is {@linkplain PatchMode#unavailable unavailable}
     * is reported, not run), then writes the chart.
     *
     * @throws IllegalStateException if {@link #environmentProblems} finds any
     */
    public DemoReport run(List<PatchMode> modes) throws IOException, InterruptedException {
        List<String> problems = environmentProblems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the demo cannot run here:\n  " + String.join("\n  ", problems));
        }
        List<ModeResult> results = new ArrayList<>();
        for (PatchMode mode : modes) {
            try {
                results.add(runMode(mode));
            } catch (IOException | RuntimeException e) {
                progress.println("[" + mode.name() + "] failed: " + e.getMessage());
                results.add(ModeResult.skipped(mode, "failed: " + e.getMessage()));
            }
        }
        boolean labelled = new LatencyChart(options).write(results);
        return new DemoReport(options, results, options.png(), labelled);
    }

    /**
     * Runs the demo {@code rounds} times, every mode once per round in the order given, each
     * round in its own directory ({@link DemoOptions#inRound}), then copies the chart of the
     * representative round ({@link RoundsReport#medianRound}) to this run's chart path.
     *
     * @throws IllegalArgumentException if {@code rounds} is not 1 to {@value #MAX_ROUNDS}
     * @throws IllegalStateException if {@link #environmentProblems} finds any
     */
    public RoundsReport run(List<PatchMode> modes, int rounds) throws IOException, InterruptedException {
        if (rounds < 1 || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException("rounds is " + rounds + ", expected 1 to " + MAX_ROUNDS);
        }
        List<DemoReport> reports = new ArrayList<>();
        for (int k = 1; k <= rounds; k++) {
            progress.println("[round " + k + " of " + rounds + "]");
            DemoReport report = new PatchDemo(options.inRound(k), artifacts, progress).run(modes);
            reports.add(report);
            progress.println("[round " + k + " of " + rounds + "] change-window p99.9 ms, x steady: "
                    + RoundsTable.roundLine(report));
        }
        int median = RoundsReport.medianRoundOf(reports);
        Path png = options.png();
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (Files.exists(reports.get(median).png())) {
            Files.copy(reports.get(median).png(), png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return new RoundsReport(options, reports, median, png);
    }

    private ModeResult runMode(PatchMode mode) throws IOException, InterruptedException {
        var reason = mode.unavailable(artifacts);
        if (reason.isPresent()) {
            progress.println("[" + mode.name() + "] skipped: " + reason.get());
            return ModeResult.skipped(mode, reason.get());
        }
        Path work = options.workDir();
        Files.createDirectories(work);
        Ports ports = new Ports();
        int port = ports.free();
        List<String> jvm = mode.serviceJvmOptions(artifacts, ports);
        if (!jvm.isEmpty()) {
            progress.println("[" + mode.name() + "] service JVM options: " + String.join(" ", jvm));
        }
        progress.println("[" + mode.name() + "] starting service v1 on port " + port);
        ServiceControl control = new ServiceControl(artifacts, options.service(), work, ServiceProcess.start(
                artifacts.serviceV1(), jvm, port, options.service(), work.resolve(mode.name() + "-service-0.log"), READY_TIMEOUT));
        Path csv = work.resolve(mode.name() + "-load.csv");
        Files.deleteIfExists(csv);
        Process generator = null;
        try {
            progress.println("[" + mode.name() + "] load: " + options.rate() + " req/s for " + options.loadDuration().toSeconds()
                    + " s; change at t=" + options.changeAt().toMillis() / 1000.0 + " s");
            CompletableFuture<Long> started = new CompletableFuture<>();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            generator = startGenerator(port, csv, work.resolve(mode.name() + "-load.log"), started, ready);
            long startMicros = started.get(30, TimeUnit.SECONDS);
            long changeMicros = startMicros + options.changeAt().toNanos() / 1_000;
            mode.beforeChange(control);
            sleepUntil(changeMicros);
            // T is also no earlier than the steady phase's worth of answers (a cold service on a
            // loaded machine may answer nothing in its first seconds): decided by the generator's
            // ready line, bounded like the after-change phase
            try {
                ready.get(AFTER_BOUND.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException notReady) {
                progress.println("[" + mode.name() + "] the service answered too few requests in "
                        + AFTER_BOUND.toSeconds() + " s more; applying the change anyway");
            }
            long appliedAtMicros = nowMicros();
            progress.println("[" + mode.name() + "] applying the change (" + mode.description() + ")");
            ChangeOutcome outcome = mode.applyChange(control);
            progress.println("[" + mode.name() + "] change: " + outcome.applied()
                    + (outcome.inEffect() == null ? "" : ", in effect after " + outcome.inEffect().toMillis() + " ms"));
            beginAfterChange(generator, appliedAtMicros, outcome);
            long waitMillis = options.loadDuration().plus(AFTER_BOUND).toMillis() + 30_000;
            if (!generator.waitFor(waitMillis, TimeUnit.MILLISECONDS)) {
                throw new IOException("the load generator did not finish within " + waitMillis + " ms; see "
                        + work.resolve(mode.name() + "-load.log"));
            }
            if (generator.exitValue() != 0) {
                throw new IOException("the load generator exited with code " + generator.exitValue() + "; see "
                        + work.resolve(mode.name() + "-load.log"));
            }
            Verification verification = Verification.probe(control.current());
            LoadRun load = LoadCsv.read(csv);
            long changeAtMillis = (appliedAtMicros - load.startEpochMicros()) / 1_000;
            return ModeResult.of(mode, outcome, load, changeAtMillis, options, verification);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("the load generator did not start; see " + work.resolve(mode.name() + "-load.log"), e);
        } finally {
            if (generator != null && generator.isAlive()) {
                generator.destroyForcibly();
            }
            control.current().close();
        }
    }

    /**
     * Tells the generator when the after-change phase begins (as {@link ModeResult} splits the
     * phases: the change window after T, at least a second past the change's settling) and how
     * many answers it needs (the planned phase's, {@code rate x (after - change window)}); it
     * sends until it has them.
     */
    private void beginAfterChange(Process generator, long appliedAtMicros, ChangeOutcome outcome) throws IOException {
        long afterStartMicros = appliedAtMicros
                + Math.max(options.changeWindow().toMillis(), ModeResult.settledMillis(outcome) + 1_000) * 1_000;
        long answers = Math.max(1, options.rate() * options.after().minus(options.changeWindow()).toMillis() / 1_000);
        var in = generator.getOutputStream();
        in.write((LoadGenerator.AFTER_PREFIX + afterStartMicros + " " + answers + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private Process startGenerator(int port, Path csv, Path log, CompletableFuture<Long> started,
                                   CompletableFuture<Void> ready) throws IOException {
        LoadGenerator.Config config;
        try {
            config = new LoadGenerator.Config(new URI("http://127.0.0.1:" + port), options.rate(), options.loadDuration(),
                    options.loadDuration().plus(AFTER_BOUND), options.window(), csv.toAbsolutePath(), options.service().catalog(), 20, Duration.ofSeconds(5),
                    options.connections(), Math.toIntExact(Math.max(1, options.rate() * options.steady().toMillis() / 1_000)),
                    new VersionTags("v1", "v2"));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        // A fixed heap and the serial collector: no concurrent GC threads taking CPU from the
        // service being measured, no heap resizing after the generator's one System.gc() (which
        // shrank G1's heap and started concurrent marking cycles in mid-run), and young pauses
        // of about a millisecond (see LoadGenerator.run)
        List<String> command = new ArrayList<>(List.of(javaExecutable().toString(), "-Xms256m", "-Xmx256m",
                "-XX:+UseSerialGC", "-cp",
                String.join(java.io.File.pathSeparator, generatorClassPath().stream().map(Path::toString).toList()),
                LoadGenerator.class.getName()));
        command.addAll(config.toArguments());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread.ofPlatform().daemon().name("load-generator-output").start(() -> copyOutput(process, log, started, ready));
        return process;
    }

    private static void copyOutput(Process process, Path log, CompletableFuture<Long> started,
                                   CompletableFuture<Void> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write(line);
                out.newLine();
                out.flush();
                if (line.startsWith(LoadGenerator.READY_PREFIX)) {
                    ready.complete(null);
                }
                if (line.startsWith(LoadGenerator.STARTED_PREFIX)) {
                    started.complete(Long.parseLong(line.substring(LoadGenerator.STARTED_PREFIX.length()).trim()));
                }
            }
        } catch (IOException | RuntimeException e) {
            started.completeExceptionally(e);
        }
        started.completeExceptionally(new IOException("the load generator ended without starting"));
    }

    /** The classes of this module and HdrHistogram: what the generator's JVM needs. */
    static List<Path> generatorClassPath() {
        return List.of(codeSource(LoadGenerator.class), codeSource(Histogram.class));
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot locate the jar or directory of " + type.getName(), e);
        }
    }

    static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    private static void sleepUntil(long epochMicros) throws InterruptedException {
        long left;
        while ((left = epochMicros - nowMicros()) > 0) {
            TimeUnit.MICROSECONDS.sleep(Math.min(left, 50_000));
        }
    }
}
