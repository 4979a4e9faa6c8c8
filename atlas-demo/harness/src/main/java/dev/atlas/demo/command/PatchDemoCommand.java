package dev.atlas.demo.command;

import dev.atlas.cli.Durations;
import dev.atlas.cli.ManifestVersionProvider;
import dev.atlas.cli.ShortErrorHandler;
import dev.atlas.demo.run.AtlasMode;
import dev.atlas.demo.run.ControlMode;
import dev.atlas.demo.run.DemoArtifacts;
import dev.atlas.demo.run.DemoOptions;
import dev.atlas.demo.run.DemoReport;
import dev.atlas.demo.run.HotSwapMode;
import dev.atlas.demo.run.ModeResult;
import dev.atlas.demo.run.PatchDemo;
import dev.atlas.demo.run.PatchMode;
import dev.atlas.demo.run.RestartMode;
import dev.atlas.demo.run.RoundsReport;
import dev.atlas.demo.runtime.RuntimeDemo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code atlas demo}: the patch demo. The demo service runs under constant open-loop load and
 * is changed from build v1 to build v2 at time T, once per mode: Atlas (the patch built from
 * the two builds, applied with {@code atlas patch apply} through {@link InProcessCliApplier}),
 * HotSwap ({@code redefineClasses}) and a restart, after a control run with nothing applied at T
 * (the baseline for the change window); then the side-by-side table and the latency
 * chart (PNG). {@code atlas demo runtime} is the runtime demo ({@link RuntimeDemo}).
 *
 * {@snippet lang=shell :
 * ./atlas demo                       # the full run, about 35 s per mode (four modes)
 * ./atlas demo --quick --modes atlas,restart --png /tmp/latency.png
 * ./atlas demo --modes control,atlas --rounds 5   # medians over five rounds, about 6 min
 * }
 *
 * <p>Exit codes: 0 every mode ran, 1 the environment is not ready (each missing piece named,
 * nothing started) or a mode failed, 2 bad options.
 *
 * <p>Implementation notes: the builds are found under the repository root ({@code --root},
 * else {@code $ATLAS_ROOT}, which the {@code ./atlas} launcher sets, else the first directory
 * above this class's jar or classes directory holding {@code atlas-demo/}), at the paths of
 * {@link DemoArtifacts#inRepository}. Options are validated (all-or-nothing) before anything
 * starts.
 */
@Command(name = "atlas demo",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersionProvider.class,
        sortOptions = false,
        subcommands = RuntimeDemo.class,
        description = {
                "The patch demo: the demo HTTP service under constant open-loop load is changed from build v1 (a pricing"
                        + " bug) to build v2 (the fix plus new state) at time T, once per mode:",
                "  control  the Atlas mode's service and warm-up with nothing applied at T: the baseline",
                "  atlas    Atlas wait-free live patching ('atlas patch apply')",
                "  hotswap  HotSpot redefineClasses (v2's new field is refused)",
                "  restart  stop v1, start v2 on the same port",
                "Prints p50/p99/p99.9/max latency, throughput, failed and mixed-version requests before, during and after"
                        + " the change, side by side, and writes a latency chart (PNG).",
                "'atlas demo runtime' runs the runtime demo (thread migration inside one JVM).",
                ""})
public final class PatchDemoCommand implements Callable<Integer> {
    /** The modes, in the table's order. */
    static final List<String> MODES = List.of("control", "atlas", "hotswap", "restart");
    private static final Duration MAX_PHASE = Duration.ofMinutes(10);

    private final Function<Path, DemoArtifacts> artifactsAt;

    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "A short run (400 req/s; 2 s warm-up, 2 s steady, 3 s after the change),"
            + " for tests and a first look. Other options override its values.")
    private boolean quick;

    @Option(names = "--modes", split = ",", paramLabel = "<mode>",
            description = "Modes to run, in this order: control, atlas, hotswap, restart (default: all four).")
    private List<String> modes;

    @Option(names = "--rounds", paramLabel = "<n>",
            description = "Run the selected modes this many times, in the same order each round, and report the"
                    + " change window's tail as medians over the rounds, with Atlas against its target and against"
                    + " the control of the same round (default: 1). One change window's p99.9 varies more from run to"
                    + " run on a small shared machine than the effect being measured.")
    private Integer rounds;

    @Option(names = "--png", paramLabel = "<file>",
            description = "Where to write the latency chart (default: <out>/latency.png).")
    private Path png;

    @Option(names = "--out", paramLabel = "<dir>",
            description = "Directory for the chart, the load generator's CSV files and the process logs"
                    + " (default: target/atlas-demo under the repository root).")
    private Path out;

    @Option(names = "--rate", paramLabel = "<req/s>",
            description = "Requests per second, sent open-loop (default: 800, or 400 with --quick).")
    private Integer rate;

    @Option(names = "--warmup", paramLabel = "<time>", converter = Durations.Converter.class,
            description = "Load before the measured phase (default: 8s, or 2s with --quick).")
    private Duration warmup;

    @Option(names = "--steady", paramLabel = "<time>", converter = Durations.Converter.class,
            description = "Measured load before the change (default: 10s, or 2s with --quick).")
    private Duration steady;

    @Option(names = "--after", paramLabel = "<time>", converter = Durations.Converter.class,
            description = "Load after the change (default: 12s, or 3s with --quick).")
    private Duration after;

    @Option(names = "--change-window", paramLabel = "<time>", converter = Durations.Converter.class,
            description = "The span after T reported as the 'change' phase (default: 2s, or 1s with --quick).")
    private Duration changeWindow;

    @Option(names = "--connections", paramLabel = "<n>",
            description = "Keep-alive connections of the load generator (default: 64, or 32 with --quick).")
    private Integer connections;

    @Option(names = "--root", paramLabel = "<dir>",
            description = "The Atlas repository whose builds are run (default: $ATLAS_ROOT, else the one holding this"
                    + " command's jar).")
    private Path root;

    /**
     * The command line as {@link #main} runs it: bad options get a short message and exit code 2.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new PatchDemoCommand()).setParameterExceptionHandler(new ShortErrorHandler());
    }

    /** {@code ./atlas demo ARGS} runs {@code java -jar atlas-demo.jar ARGS}. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command as {@code atlas demo} runs it: the builds of {@link DemoArtifacts#inRepository}. */
    public PatchDemoCommand() {
        this(DemoArtifacts::inRepository);
    }

    /** @param artifactsAt the builds to run, given the repository root (tests pass unpackaged builds) */
    PatchDemoCommand(Function<Path, DemoArtifacts> artifactsAt) {
        this.artifactsAt = artifactsAt;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        List<PatchMode> selected = selectedModes();
        int roundCount = rounds == null ? 1 : rounds;
        if (roundCount < 1 || roundCount > PatchDemo.MAX_ROUNDS) {
            throw usage("--rounds", roundCount + "", "a whole number from 1 to " + PatchDemo.MAX_ROUNDS);
        }
        Path repo = root != null ? root.toAbsolutePath().normalize() : RepositoryRoot.locate();
        DemoOptions options = options(repo);
        DemoArtifacts artifacts = artifactsAt.apply(repo);
        PatchDemo demo = new PatchDemo(options, artifacts, stdout);
        List<String> problems = new ArrayList<>(demo.environmentProblems());
        for (PatchMode m : selected) {
            m.unavailable(artifacts).ifPresent(reason -> problems.add(m.name() + " mode: " + reason));
        }
        if (!problems.isEmpty()) {
            stderr.println("atlas: the patch demo cannot run here (repository " + repo + "):");
            problems.forEach(p -> stderr.println("  - " + p));
            stderr.println("Nothing was started.");
            stderr.flush();
            return 1;
        }
        stdout.println("Patch demo: " + String.join(", ", selected.stream().map(PatchMode::name).toList())
                + "; output in " + options.workDir());
        List<DemoReport> reports;
        Path chart;
        if (roundCount == 1) {
            DemoReport report = demo.run(selected);
            stdout.println();
            stdout.print(report.table());
            reports = List.of(report);
            chart = report.png();
        } else {
            RoundsReport report = demo.run(selected, roundCount);
            stdout.println();
            stdout.print(report.table());
            reports = report.rounds();
            chart = report.png();
        }
        List<String> failed = new ArrayList<>();
        for (int k = 0; k < reports.size(); k++) {
            for (ModeResult r : reports.get(k).modes()) {
                if (!r.ran()) {
                    failed.add((reports.size() > 1 ? "round " + (k + 1) + " " : "") + r.mode() + ": " + r.unavailable());
                }
            }
        }
        stdout.println();
        stdout.println("Latency chart: " + chart.toAbsolutePath());
        stdout.flush();
        if (!failed.isEmpty()) {
            stderr.println("atlas: " + failed.size() + " mode(s) did not run: " + String.join("; ", failed));
            stderr.flush();
            return 1;
        }
        return 0;
    }

    private List<PatchMode> selectedModes() {
        Set<String> names = new LinkedHashSet<>(modes == null ? MODES : modes);
        for (String n : names) {
            if (!MODES.contains(n)) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--modes': '" + n
                        + "'; expected a comma-separated list of " + String.join(", ", MODES));
            }
        }
        if (names.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--modes': no mode; expected"
                    + " a comma-separated list of " + String.join(", ", MODES));
        }
        List<PatchMode> selected = new ArrayList<>();
        for (String n : MODES) {   // the table's order, whatever the order given
            if (names.contains(n)) {
                selected.add(switch (n) {
                    case "control" -> new ControlMode(new AtlasMode(new InProcessCliApplier()));
                    case "atlas" -> new AtlasMode(new InProcessCliApplier());
                    case "hotswap" -> new HotSwapMode();
                    default -> new RestartMode();
                });
            }
        }
        return selected;
    }

    /** The scenario: the defaults (or --quick), then each option given; invalid combinations are usage errors. */
    DemoOptions options(Path repo) {
        Path work = out != null ? out.toAbsolutePath().normalize() : repo.resolve("target").resolve("atlas-demo");
        DemoOptions base = quick ? DemoOptions.quick(work) : DemoOptions.defaults(work);
        if (rate != null && (rate < 1 || rate > 100_000)) {
            throw usage("--rate", rate + "", "a whole number of requests per second from 1 to 100000");
        }
        if (connections != null && (connections < 1 || connections > 1024)) {
            throw usage("--connections", connections + "", "a whole number from 1 to 1024");
        }
        Duration w = phase("--warmup", warmup, base.warmup());
        Duration s = phase("--steady", steady, base.steady());
        Duration a = phase("--after", after, base.after());
        Duration c = phase("--change-window", changeWindow, base.changeWindow());
        if (a.compareTo(c.plus(base.window())) < 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--after': " + Durations.format(a)
                    + "; expected at least the change window plus " + Durations.format(base.window()) + " ("
                    + Durations.format(c.plus(base.window())) + ")");
        }
        return new DemoOptions(rate != null ? rate : base.rate(), w, s, a, base.window(), c,
                connections != null ? connections : base.connections(), base.service(), work,
                png != null ? png.toAbsolutePath().normalize() : work.resolve("latency.png"));
    }

    private Duration phase(String option, Duration given, Duration fallback) {
        if (given == null) {
            return fallback;
        }
        if (given.compareTo(Duration.ofMillis(250)) < 0 || given.compareTo(MAX_PHASE) > 0) {
            throw usage(option, Durations.format(given), "a duration from 250ms to " + Durations.format(MAX_PHASE));
        }
        if (given.toNanos() % 1_000_000 != 0) {
            throw usage(option, Durations.format(given), "a whole number of milliseconds");
        }
        return given;
    }

    private ParameterException usage(String option, String value, String expected) {
        return new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " + value
                + "; expected " + expected);
    }
}
