package dev.atlas.demo.runtime;

import dev.atlas.cli.Durations;
import dev.atlas.cli.ManifestVersionProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code atlas demo runtime}: a multi-threaded workload whose threads are migrated into a new view
 * one by one while the others keep working. See {@link DemoRun} for what it does.
 * Exit code 0 if every check passed, 1 if one failed, 2 for a bad option.
 */
@Command(name = "runtime",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersionProvider.class,
        sortOptions = false,
        description = {
                "Runs a multi-threaded workload in view v1, then migrates its threads into view v2 (a bug fix)"
                        + " one by one, each at its own quiescence point, while the others keep working;"
                        + " retires v1 once the last thread has left it.",
                "Reports each thread's migration delay, the straggler, request latency and throughput before"
                        + " and during the migration, and checks that no request mixed v1 and v2 code.",
                ""})
public final class RuntimeDemo implements Callable<Integer> {
    static final Duration DEFAULT_DURATION = Duration.ofSeconds(6);
    static final Duration QUICK_DURATION = Duration.ofSeconds(2);

    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "A short run (2s of load instead of 6s), for tests and a first look.")
    private boolean quick;

    @Option(names = {"-d", "--duration"}, paramLabel = "<time>", converter = Durations.Converter.class,
            description = "Time under load: 30%% warm-up, 35%% steady window, 35%% migration window (default: 6s, or 2s with --quick).")
    private Duration duration;

    @Option(names = {"-w", "--workers"}, paramLabel = "<n>", defaultValue = "4",
            description = "Platform workers of the busy thread pool (default: ${DEFAULT-VALUE}).")
    private int workers;

    @Option(names = "--idle-workers", paramLabel = "<n>", defaultValue = "2",
            description = "Platform workers of a pool that never gets a task (default: ${DEFAULT-VALUE}).")
    private int idleWorkers;

    @Option(names = {"-t", "--virtual-threads"}, paramLabel = "<n>", defaultValue = "50",
            description = "Virtual threads looping requests (default: ${DEFAULT-VALUE}).")
    private int virtualThreads;

    @Option(names = "--rate", paramLabel = "<req/s>", defaultValue = "1000",
            description = "Requests per second fed to the busy pool (default: ${DEFAULT-VALUE}).")
    private int rate;

    @Option(names = "--work", paramLabel = "<time>", defaultValue = "200us", converter = Durations.Converter.class,
            description = "CPU time of one short request (default: ${DEFAULT-VALUE}).")
    private Duration work;

    @Option(names = "--think", paramLabel = "<time>", defaultValue = "20ms", converter = Durations.Converter.class,
            description = "Mean pause of a virtual thread between two requests (default: ${DEFAULT-VALUE}).")
    private Duration think;

    @Option(names = "--long-request", paramLabel = "<time>", defaultValue = "300ms", converter = Durations.Converter.class,
            description = "Duration of each request of the long-request thread, the straggler (default: ${DEFAULT-VALUE}).")
    private Duration longRequest;

    @Option(names = "--timeout", paramLabel = "<time>", defaultValue = "10s", converter = Durations.Converter.class,
            description = "Fail if the migration is not complete after this long (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(names = "--seed", paramLabel = "<n>", defaultValue = "42",
            description = "Seed of the request inputs (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Override
    public Integer call() throws Exception {
        DemoConfig config = validatedConfig();
        PrintWriter out = spec.commandLine().getOut();
        boolean passed = new DemoRun(config, out).run();
        out.flush();
        return passed ? 0 : 1;
    }

    private DemoConfig validatedConfig() {
        Duration d = duration != null ? duration : quick ? QUICK_DURATION : DEFAULT_DURATION;
        checkRange("--duration", d, Duration.ofSeconds(1), Duration.ofMinutes(10));
        checkRange("--workers", workers, 1, 256);
        checkRange("--idle-workers", idleWorkers, 0, 256);
        checkRange("--virtual-threads", virtualThreads, 0, 100_000);
        checkRange("--rate", rate, 1, 1_000_000);
        checkRange("--work", work, Duration.ofNanos(1_000), Duration.ofMillis(100));
        checkRange("--think", think, Duration.ofMillis(1), Duration.ofSeconds(10));
        checkRange("--long-request", longRequest, Duration.ofMillis(100), Duration.ofSeconds(30));
        checkRange("--timeout", timeout, Duration.ofMillis(10), Duration.ofMinutes(10));
        return new DemoConfig(d, workers, idleWorkers, virtualThreads, rate, work, think, longRequest, timeout, seed);
    }

    private void checkRange(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " + value
                    + "; expected a whole number from " + min + " to " + max);
        }
    }

    private void checkRange(String option, Duration value, Duration min, Duration max) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': "
                    + Durations.format(value) + "; expected a duration from " + Durations.format(min) + " to "
                    + Durations.format(max));
        }
    }
}
