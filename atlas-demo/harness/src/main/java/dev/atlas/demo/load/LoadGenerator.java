package dev.atlas.demo.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The load generator as a program, run in its own JVM so that its work and its pauses are
 * not the service's:
 * <pre>
 * java -cp harness.jar:HdrHistogram.jar dev.atlas.demo.load.LoadGenerator \
 *      --target http://127.0.0.1:8080 --rate 800 --duration-ms 30000 --window-ms 250 --out load.csv \
 *      [--catalog 200] [--orders-percent 20] [--timeout-ms 5000] [--connections 64] [--old-tag v1] [--new-tag v2]
 * </pre>
 * It prints {@value #STARTED_PREFIX}{@code <micros since the epoch>} when the schedule is
 * fixed (request 0 is due {@value #START_DELAY_MILLIS} ms later, at that time), runs the
 * {@link OpenLoop}, writes the {@link LoadCsv result file} and prints
 * {@value #DONE_PREFIX}{@code ...}. Exit code 0, or 2 for bad arguments.
 */
public final class LoadGenerator {
    public static final String STARTED_PREFIX = "atlas-demo-load start_epoch_micros=";
    public static final String DONE_PREFIX = "atlas-demo-load done ";
    static final long START_DELAY_MILLIS = 300;

    private LoadGenerator() {
    }

    /**
     * The generator's settings.
     *
     * @param target        base URI of the service
     * @param rate          requests per second
     * @param duration      how long to send
     * @param window        window length (a whole number of milliseconds)
     * @param out           result file
     * @param catalog       products in the service's catalog
     * @param ordersPercent share of orders among requests
     * @param timeout       request timeout
     * @param connections   keep-alive connections to the service
     * @param tags          old and new version part
     */
    public record Config(URI target, int rate, Duration duration, Duration window, Path out, int catalog, int ordersPercent,
                         Duration timeout, int connections, VersionTags tags) {

        /** The command-line arguments that {@link #main} parses back into this config. */
        public List<String> toArguments() {
            return List.of("--target", target.toString(), "--rate", Integer.toString(rate),
                    "--duration-ms", Long.toString(duration.toMillis()), "--window-ms", Long.toString(window.toMillis()),
                    "--out", out.toString(), "--catalog", Integer.toString(catalog),
                    "--orders-percent", Integer.toString(ordersPercent), "--timeout-ms", Long.toString(timeout.toMillis()),
                    "--connections", Integer.toString(connections),
                    "--old-tag", tags.oldPart(), "--new-tag", tags.newPart());
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Config config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("atlas-demo-load: " + e.getMessage());
            System.exit(2);
            return;
        }
        LoadRun run = run(config, line -> {
            System.out.println(line);
            System.out.flush();
        });
        LoadCsv.write(run, config.out());
        System.out.println(DONE_PREFIX + "sent=" + run.sent() + " unfinished=" + run.unfinished() + " max_send_lag_us="
                + run.maxSendLagMicros() + " cpu_ms=" + run.cpuMillis());
    }

    /** Runs the generator in this JVM; {@code started} receives the started line. */
    public static LoadRun run(Config config, java.util.function.Consumer<String> started) throws InterruptedException {
        int windows = Math.toIntExact(Math.ceilDiv(config.duration().toNanos(), config.window().toNanos()));
        long startNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_DELAY_MILLIS);
        long startEpochMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()) + START_DELAY_MILLIS * 1_000;
        WindowRecorder recorder = new WindowRecorder(startNanos, config.window().toNanos(), windows);
        // The windows' histograms (about 150 KB each, 19 MB for the demo's 120 windows) live for
        // the whole run. Left in the young generation, the first young collection of the run
        // copied them all: a 20 ms pause of the generator in mid-run (GC log), which every
        // request then in flight counted as latency. Collected now, before request 0 is due,
        // they sit in the old generation and the run's young collections copy only short-lived
        // objects (as JMH collects between iterations).
        System.gc();
        started.accept(STARTED_PREFIX + startEpochMicros);
        OpenLoop.Result result;
        InetSocketAddress address = new InetSocketAddress(config.target().getHost(), config.target().getPort());
        try (SocketSender sender = new SocketSender(address, new RequestMix(config.catalog(), config.ordersPercent()),
                config.connections(), config.timeout())) {
            result = new OpenLoop(config.rate(), config.duration(), config.tags())
                    .run(sender, startNanos, recorder, config.timeout().plusSeconds(1));
        }
        long cpuMillis = TimeUnit.NANOSECONDS.toMillis(
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime());
        return new LoadRun(startEpochMicros, config.rate(), result.sent(), result.unfinished(), result.maxSendLagMicros(),
                result.p99SendLagMicros(), cpuMillis, recorder.windows());
    }

    static Config parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        List<String> known = List.of("--target", "--rate", "--duration-ms", "--window-ms", "--out", "--catalog",
                "--orders-percent", "--timeout-ms", "--connections", "--old-tag", "--new-tag");
        for (int i = 0; i < args.length; i += 2) {
            if (!known.contains(args[i])) {
                throw new IllegalArgumentException("unknown option '" + args[i] + "', expected one of " + known);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            options.put(args[i], args[i + 1]);
        }
        List<String> missing = new ArrayList<>();
        for (String required : List.of("--target", "--rate", "--duration-ms", "--out")) {
            if (!options.containsKey(required)) {
                missing.add(required);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing " + String.join(", ", missing));
        }
        URI target = URI.create(options.get("--target"));
        if (!"http".equals(target.getScheme())) {
            throw new IllegalArgumentException("--target is '" + target + "', expected http://host:port");
        }
        return new Config(target, number(options, "--rate", null, 1, 100_000),
                Duration.ofMillis(number(options, "--duration-ms", null, 100, 3_600_000)),
                Duration.ofMillis(number(options, "--window-ms", "250", 1, 60_000)),
                Path.of(options.get("--out")), number(options, "--catalog", "200", 1, 100_000),
                number(options, "--orders-percent", "20", 0, 100),
                Duration.ofMillis(number(options, "--timeout-ms", "5000", 1, 600_000)),
                number(options, "--connections", "64", 1, 4096),
                new VersionTags(options.getOrDefault("--old-tag", "v1"), options.getOrDefault("--new-tag", "v2")));
    }

    private static int number(Map<String, String> options, String name, String fallback, int min, int max) {
        String text = options.getOrDefault(name, fallback);
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " is '" + text + "', expected a whole number from " + min + " to " + max);
    }
}
