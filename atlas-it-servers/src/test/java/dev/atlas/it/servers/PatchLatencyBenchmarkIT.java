package dev.atlas.it.servers;

import dev.atlas.cli.CliRun;
import dev.atlas.testsupport.TaggedLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a CI test (runs only with {@code -Datlas.servers.bench=true}): for each server,
 * the p99.9 latency of the requests sent in the window around a patch against a control window
 * of the same run with nothing applied, and the cost of late attach (its duration, p99.9 and
 * answered requests per second in its window against a control window). Load: the suite's open
 * loop ({@link ServerCase#RATE}, 300 requests/s of ~10 ms unless {@code -Datlas.servers.rate=N}).
 * Command and figures: {@code docs/servers-benchmark.md}.
 *
 * <p>Windows: from 1 s before the change's start to 2 s after its end (the control window has
 * the same length, placed with nothing applied). Latency of a request: from its intended send time
 * to its response, attributed to the window its intended send fell in. A window is measured once every
 * request due in it has been answered (a server behind its load has a backlog that finishes later;
 * bounded by {@code -Datlas.servers.bench.drain=S}, default 120 s, then the run fails naming the
 * requests outstanding), so its p99.9 is that of all its requests, not of those that were fast enough to
 * finish inside it. Throughput of a window: responses that came in it per second. Each run's line
 * says the rate the load achieved and whether it fell short of the target.
 */
@EnabledIfSystemProperty(named = "atlas.servers.bench", matches = "true")
class PatchLatencyBenchmarkIT {
    private static final List<ServerCase> SERVERS = List.of(
            SpringBootTomcatIT.SPRING,
            new ServerCase("Jetty 12 servlet", "it.jetty", "it.jetty.JettyApp", List.of("/tag"), ""),
            new ServerCase("Netty 4.1 HTTP", "it.netty", "it.netty.NettyApp", List.of("/tag"), ""),
            new ServerCase("JDK HttpServer, virtual threads", "it.vthread", "it.vthread.VirtualThreadApp", List.of("/tag"), ""),
            ReactiveGrpcUndertowServletIT.SHARED_JVM);
    /** {@code -Datlas.servers.bench.only=it.netty,it.shared}: only the servers whose main class starts so. */
    private static final List<String> ONLY = java.util.Arrays.stream(System.getProperty("atlas.servers.bench.only", "")
            .split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    private static final Duration WARMUP = Duration.ofSeconds(Long.getLong("atlas.servers.bench.warmup", 10));
    private static final Duration DRAIN = Duration.ofSeconds(Long.getLong("atlas.servers.bench.drain", 120));

    @Test
    void patchWindowAgainstControlAndLateAttachCost() throws Exception {
        List<String> rows = new ArrayList<>();
        rows.add(String.format(Locale.ROOT, "%-32s %9s %9s %7s %8s | %9s %9s %9s %7s %11s",
                "server", "ctl p99.9", "patch p99.9", "ratio", "apply ms",
                "attach ms", "ctl p99.9", "att p99.9", "ratio", "req/s ratio"));
        for (ServerCase s : SERVERS) {
            if (!ONLY.isEmpty() && ONLY.stream().noneMatch(s.mainClass()::startsWith)) {
                continue;
            }
            rows.add(row(s));
            System.out.println("[bench] " + rows.getLast());
        }
        Path out = ItEnvironment.workDir().resolve("servers-bench.txt");
        Files.write(out, rows);
        rows.forEach(r -> System.out.println("[bench] " + r));
    }

    /**
     * Late attach selecting the whole of Spring ({@code org.springframework.**}, a few thousand loaded
     * classes, among them classes HotSpot cannot retransform) on the Spring Boot server under load:
     * the command's wall time, the classes made patchable and skipped, p99.9 and throughput in its
     * window against a control window.
     */
    @Test
    void lateAttachSelectingAllOfSpring() throws Exception {
        ServerCase s = SERVERS.getFirst();
        try (ServerProcess p = ServerProcess.start(ItEnvironment.appV1(), s.mainClass(), List.of("-XX:+EnableDynamicAgentLoading"));
             TaggedLoad load = s.load(p, ServerCase.RATE)) {
            CliRun[] run = new CliRun[1];
            Measured m = around(load, () -> run[0] = AtlasCli.target(List.of("attach"), p.pid(), "--include", s.include(),
                    "--include", "org.springframework.**", "--raw"));
            System.out.println("[bench] " + s.name() + ", wide late attach: load " + ServerCase.rateNote(load.rate()));
            assertEquals(0, load.mixed(), load::toString);
            assertEquals(List.of(), load.failures(), load::toString);
            CliRun status = AtlasCli.target(List.of("status"), p.pid());
            java.util.regex.Matcher skipped = java.util.regex.Pattern.compile("(\\d+) class\\(es\\) could not be made patchable")
                    .matcher(status.out());
            String row = String.format(Locale.ROOT, "late attach, include %s;org.springframework.**: %.0f ms, %s class(es) "
                            + "retransformed, %s skipped, %s instrumented, %s failed to instrument; p99.9 %.2f ms "
                            + "(control %.2f, ratio %.2f), req/s ratio %.2f; boundary patterns matching no loaded method: %s",
                    s.include(), m.ms, run[0].reply().field("retransformed"), skipped.find() ? skipped.group(1) : "0",
                    run[0].reply().field("instrumented"), run[0].reply().field("not-patchable"),
                    m.change.p999Ms, m.control.p999Ms, m.change.p999Ms / m.control.p999Ms,
                    m.change.perSecond / m.control.perSecond, run[0].reply().field("boundaries-unmatched"));
            System.out.println("[bench] " + row);
            Files.write(ItEnvironment.workDir().resolve("servers-bench-wide-attach.txt"), List.of(row));
        }
    }

    private static String row(ServerCase s) throws Exception {
        Path patch = AtlasCli.patch(s.pkgs());
        Measured applied;
        try (ServerProcess p = ServerProcess.start(ItEnvironment.appV1(), s.mainClass(), List.of(
                "-javaagent:" + ItEnvironment.agentJar() + "=" + s.agentOptions(), "-XX:+EnableDynamicAgentLoading"));
             TaggedLoad load = s.load(p, ServerCase.RATE)) {
            applied = around(load, () -> AtlasCli.target(List.of("patch", "apply"), p.pid(), patch.toString(),
                    "--timeout", "30s", "--raw"));
            System.out.println("[bench] " + s.name() + ", patch run: load " + ServerCase.rateNote(load.rate()));
            assertEquals(0, load.mixed(), load::toString);
            assertEquals(List.of(), load.failures(), load::toString);
        }
        Measured attached;
        try (ServerProcess p = ServerProcess.start(ItEnvironment.appV1(), s.mainClass(), List.of("-XX:+EnableDynamicAgentLoading"));
             TaggedLoad load = s.load(p, ServerCase.RATE)) {
            attached = around(load, () -> AtlasCli.target(List.of("attach"), p.pid(), "--include", s.include(), "--raw"));
            System.out.println("[bench] " + s.name() + ", late-attach run: load " + ServerCase.rateNote(load.rate()));
            assertEquals(0, load.mixed(), load::toString);
            assertEquals(List.of(), load.failures(), load::toString);
        }
        return String.format(Locale.ROOT, "%-32s %9.2f %11.2f %7.2f %8.0f | %9.0f %9.2f %9.2f %7.2f %11.2f", s.name(),
                applied.control.p999Ms, applied.change.p999Ms, applied.change.p999Ms / applied.control.p999Ms, applied.ms,
                attached.ms, attached.control.p999Ms, attached.change.p999Ms,
                attached.change.p999Ms / attached.control.p999Ms, attached.change.perSecond / attached.control.perSecond);
    }

    /** A control window with nothing done, then {@code change} (which must succeed) and its window. */
    private record Measured(Window control, Window change, double ms) {
    }

    private static Measured around(TaggedLoad load, java.util.concurrent.Callable<CliRun> change) throws Exception {
        pause(WARMUP);
        long c0 = System.nanoTime();
        pause(Duration.ofSeconds(1));
        long c1 = System.nanoTime();
        pause(Duration.ofSeconds(2));
        Window control = window(load, c0 - sec(1), c1 + sec(2));
        pause(Duration.ofSeconds(2));
        long t0 = System.nanoTime();
        CliRun r = change.call();
        long t1 = System.nanoTime();
        assertEquals(0, r.exitCode(), r::toString);
        pause(Duration.ofSeconds(2));
        return new Measured(control, window(load, t0 - sec(1), t1 + sec(2)), (t1 - t0) / 1e6);
    }

    private record Window(double p999Ms, double perSecond) {
    }

    /** The window [from, to), once every request due in it has been answered (at most {@link #DRAIN}). */
    private static Window window(TaggedLoad load, long from, long to) {
        load.awaitAnsweredBefore(to, DRAIN);
        long[] lat = load.latencies(from, to);
        if (lat.length == 0) {
            throw new AssertionError("no request due in the window succeeded; " + load);
        }
        java.util.Arrays.sort(lat);
        int i = (int) Math.ceil(lat.length * 0.999) - 1;
        return new Window(lat[Math.max(0, i)] / 1e6, load.completed(from, to) / ((to - from) / 1e9));
    }

    private static long sec(long s) {
        return Duration.ofSeconds(s).toNanos();
    }

    /** The benchmark's own time line (measurement spans, not synchronisation). */
    private static void pause(Duration d) throws InterruptedException {
        Thread.sleep(d);
    }
}
