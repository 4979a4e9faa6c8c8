package dev.atlas.demo.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The load generator as a program, run in its own JVM so that its work and its pauses are
 * not the service's:
 * <pre>
 * java -cp harness.jar:HdrHistogram.jar dev.atlas.demo.load.LoadGenerator \
 *      --target http://127.0.0.1:8080 --rate 800 --duration-ms 30000 --window-ms 250 --out load.csv \
 *      [--catalog 200] [--orders-percent 20] [--timeout-ms 5000] [--connections 64] [--old-tag v1] [--new-tag v2]
 *      [--max-duration-ms 90000] [--ready-answers 0]
 * </pre>
 * With {@code --max-duration-ms} above {@code --duration-ms} the after-change phase is open-ended:
 * past the duration the generator keeps sending until the line
 * {@value #AFTER_PREFIX}{@code <epoch micros> <answers>} on its standard input (the harness
 * writes it once the change has settled: when the after-change phase begins, and how many
 * answers it needs) has been answered by that many outcomes ({@link AfterChange}), or until
 * the maximum duration.
 * It prints {@value #STARTED_PREFIX}{@code <micros since the epoch>} when the schedule is
 * fixed (request 0 is due {@value #START_DELAY_MILLIS} ms later, at that time), runs the
 * {@link OpenLoop}, writes the {@link LoadCsv result file} and prints
 * {@value #DONE_PREFIX}{@code ...}. Exit code 0, or 2 for bad arguments.
 */
public final class LoadGenerator {
    public static final String STARTED_PREFIX = "atlas-demo-load start_epoch_micros=";
    public static final String DONE_PREFIX = "atlas-demo-load done ";
    public static final String AFTER_PREFIX = "after ";
    /** Printed once {@code --ready-answers} requests have been answered. */
    public static final String READY_PREFIX = "atlas-demo-load ready answered=";
    static final long START_DELAY_MILLIS = 300;

    private LoadGenerator() {
    }

    /**
     * The generator's settings.
     *
     * @param target        base URI of the service
     * @param rate          requests per second
     * @param duration      how long to send at least
     * @param maxDuration   how long to send at most (the open after-change phase's bound; the
     *                      duration for a closed schedule)
     * @param window        window length (a whole number of milliseconds)
     * @param out           result file
     * @param catalog       products in the service's catalog
     * @param ordersPercent share of orders among requests
     * @param timeout       request timeout
     * @param connections   keep-alive connections to the service
     * @param readyAnswers  successful answers after which {@value #READY_PREFIX}{@code N} is printed (0: never)
     * @param tags          old and new version part
     */
    public record Config(URI target, int rate, Duration duration, Duration maxDuration, Duration window, Path out, int catalog,
                         int ordersPercent, Duration timeout, int connections, int readyAnswers, VersionTags tags) {

        /** The command-line arguments that {@link #main} parses back into this config. */
        public List<String> toArguments() {
            return List.of("--target", target.toString(), "--rate", Integer.toString(rate),
                    "--duration-ms", Long.toString(duration.toMillis()), "--max-duration-ms", Long.toString(maxDuration.toMillis()),
                    "--window-ms", Long.toString(window.toMillis()),
                    "--out", out.toString(), "--catalog", Integer.toString(catalog),
                    "--orders-percent", Integer.toString(ordersPercent), "--timeout-ms", Long.toString(timeout.toMillis()),
                    "--connections", Integer.toString(connections), "--ready-answers", Integer.toString(readyAnswers),
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
        }, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        LoadCsv.write(run, config.out());
        System.out.println(DONE_PREFIX + "sent=" + run.sent() + " unfinished=" + run.unfinished() + " max_send_lag_us="
                + run.maxSendLagMicros() + " cpu_ms=" + run.cpuMillis());
    }

    /**
     * Runs the generator in this JVM; {@code started} receives the started line, and for an open
     * schedule {@code instructions} gives the {@value #AFTER_PREFIX} line (read on a daemon thread).
     */
    public static LoadRun run(Config config, Consumer<String> started, BufferedReader instructions)
            throws InterruptedException {
        int windows = Math.toIntExact(Math.ceilDiv(config.maxDuration().toNanos(), config.window().toNanos()));
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
        AfterChange afterChange = new AfterChange(recorder, config.readyAnswers(),
                new Ready(started, READY_PREFIX + config.readyAnswers()));
        if (config.maxDuration().compareTo(config.duration()) > 0) {
            Thread.ofPlatform().daemon().name("load-instructions")
                    .start(new Instructions(instructions, afterChange, startNanos, startEpochMicros));
        }
        started.accept(STARTED_PREFIX + startEpochMicros);
        OpenLoop.Result result;
        InetSocketAddress address = new InetSocketAddress(config.target().getHost(), config.target().getPort());
        try (SocketSender sender = new SocketSender(address, new RequestMix(config.catalog(), config.ordersPercent()),
                config.connections(), config.timeout())) {
            result = new OpenLoop(config.rate(), config.duration(), config.maxDuration(), config.tags())
                    .run(sender, startNanos, afterChange, config.timeout().plusSeconds(1), afterChange);
        }
        // the windows the schedule reached (an open schedule may stop before its bound)
        long sentNanos = result.sent() * 1_000_000_000L / config.rate();
        int used = Math.max(1, Math.min(windows, Math.toIntExact(Math.ceilDiv(sentNanos, config.window().toNanos()))));
        long cpuMillis = TimeUnit.NANOSECONDS.toMillis(
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime());
        return new LoadRun(startEpochMicros, config.rate(), result.sent(), result.unfinished(), result.maxSendLagMicros(),
                result.p99SendLagMicros(), cpuMillis, recorder.windows().subList(0, used));
    }

    /** Says once that the generator has its first answers. */
    private record Ready(Consumer<String> out, String line) implements Runnable {
        @Override
        public void run() {
            out.accept(line);
        }
    }

    /**
     * Reads the harness's {@value #AFTER_PREFIX} line and starts the after-change count; ends
     * with its input. A malformed line is reported on standard error and ignored (the schedule
     * then runs to its bound).
     */
    private record Instructions(BufferedReader in, AfterChange afterChange, long startNanos, long startEpochMicros)
            implements Runnable {
        @Override
        public void run() {
            try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] f = line.trim().split(" ");
                    if (f.length == 3 && (f[0] + " ").equals(AFTER_PREFIX)) {
                        try {
                            long fromNanos = startNanos + (Long.parseLong(f[1]) - startEpochMicros) * 1_000;
                            afterChange.begin(fromNanos, Long.parseLong(f[2]));
                            continue;
                        } catch (IllegalArgumentException e) {
                            System.err.println("atlas-demo-load: instruction '" + line + "': " + e.getMessage());
                            continue;
                        }
                    }
                    System.err.println("atlas-demo-load: instruction '" + line + "' ignored, expected '" + AFTER_PREFIX
                            + "<epoch micros> <answers>'");
                }
            } catch (IOException e) {
                System.err.println("atlas-demo-load: reading instructions: " + e);
            }
        }
    }

    static Config parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        List<String> known = List.of("--target", "--rate", "--duration-ms", "--max-duration-ms", "--window-ms", "--out", "--catalog",
                "--orders-percent", "--timeout-ms", "--connections", "--ready-answers", "--old-tag", "--new-tag");
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
        Duration duration = Duration.ofMillis(number(options, "--duration-ms", null, 100, 3_600_000));
        Duration maxDuration = Duration.ofMillis(number(options, "--max-duration-ms", options.get("--duration-ms"),
                100, 3_600_000));
        if (maxDuration.compareTo(duration) < 0) {
            throw new IllegalArgumentException("--max-duration-ms is " + maxDuration.toMillis()
                    + ", expected at least --duration-ms (" + duration.toMillis() + ")");
        }
        return new Config(target, number(options, "--rate", null, 1, 100_000), duration, maxDuration,
                Duration.ofMillis(number(options, "--window-ms", "250", 1, 60_000)),
                Path.of(options.get("--out")), number(options, "--catalog", "200", 1, 100_000),
                number(options, "--orders-percent", "20", 0, 100),
                Duration.ofMillis(number(options, "--timeout-ms", "5000", 1, 600_000)),
                number(options, "--connections", "64", 1, 4096), number(options, "--ready-answers", "0", 0, 100_000_000),
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
