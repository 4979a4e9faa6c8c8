package dev.atlas.it.servers;

import dev.atlas.cli.CliRun;
import dev.atlas.patch.agent.command.CommandReply;
import dev.atlas.testsupport.TaggedLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Benchmark, not a CI test (runs only with {@code -Datlas.servers.bench=true}): the cost of late
 * attach on the suite's Spring Boot service (Tomcat, Spring MVC, Data JPA/Hibernate: about 15,000
 * loaded classes) under an open loop from the test JVM ({@link #RATE}, 100 requests/s of about 10 ms).
 * Each run starts the service without the agent, warms it up, measures a steady control window, then
 * runs the {@code atlas} launcher of this checkout, as a user would, in a process of its own, with
 * {@code --timings}, and measures the windows during the command and just after it (the agent's
 * warm-up runs then). Reported per run: the command's wall time and its phases (the launcher script,
 * the CLI JVM's start, the checks, the attach handshake, the agent jar's loading, the agent's install
 * phases, the reply; the warm-up's duration from {@code atlas status}), and throughput (requests
 * answered per second) and p99 latency (from each request's intended send time) of each window as
 * ratios to the control window of the same run. On a machine shared with other work the wall times
 * are mostly waits for a CPU, so each run also reports CPU time: the command's own process, and the
 * service's beyond its control rate from the command's start to the end of the window after it.
 *
 * <p>Runs, each on a fresh service (an agent installs once per JVM): {@code atlas attach --include
 * it.spring.**} without the CLI's AOT cache and with it ({@code ATLAS_CLI_AOT=1}), with a baseline
 * agent jar if {@code -Datlas.servers.bench.baselineAgent=<jar>} is given, and {@code atlas patch
 * apply} of the suite's patch on a JVM without the agent, which installs it: with no options (the
 * agent selects what the patch needs: the classes it changes, and the supertypes whose methods it overrides),
 * with {@code --include it.spring.**}, and, with {@code -Datlas.servers.bench.everyClass=true}, with
 * {@code --include **} (every application class: minutes on a loaded machine).
 * {@code -Datlas.servers.bench.rounds=N} repeats the runs, alternating their order.
 * Command and figures: {@code docs/servers-benchmark.md}.
 */
@EnabledIfSystemProperty(named = "atlas.servers.bench", matches = "true")
class LateAttachCostIT {
    private static final ServerCase SPRING = SpringBootTomcatIT.SPRING;
    private static final Duration WARMUP = Duration.ofSeconds(Long.getLong("atlas.servers.bench.warmup", 10));
    private static final Duration CONTROL = Duration.ofSeconds(5);
    private static final Duration AFTER = Duration.ofSeconds(5);
    private static final int ROUNDS = Integer.getInteger("atlas.servers.bench.rounds", 1);
    /**
     * Requests per second ({@code -Datlas.servers.bench.attachRate=N}): below the suite's 300, so that the
     * service is not saturated in its control window on a shared 2-vCPU machine (a saturated service's
     * p99 is its queue, and its throughput the machine's).
     */
    private static final int RATE = Integer.getInteger("atlas.servers.bench.attachRate", 100);
    private static final Pattern TIMINGS = Pattern.compile("atlas: timings \\(ms\\): (.*)");

    /** One way of running the command; {@code apply}: {@code patch apply}, with {@code include} if not null. */
    private record Variant(String name, boolean aot, Path agentJar, boolean apply, String include) {
        Variant(String name, boolean aot, Path agentJar, boolean apply) {
            this(name, aot, agentJar, apply, null);
        }
    }

    @Test
    void lateAttachCost() throws Exception {
        Path root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().getParent();
        Path atlas = root.resolve("atlas");
        List<String> lines = new ArrayList<>();
        // first use: the launcher rebuilds if it must and makes the CLI's AOT cache (ATLAS_CLI_AOT=1); not timed below
        long f0 = System.nanoTime();
        Launched first = launch(atlas, true, List.of("--version"));
        assertEquals(0, first.exit, first::toString);
        lines.add(String.format(Locale.ROOT, "first use of the launcher (AOT cache made if missing): %.0f ms; cache %s",
                (System.nanoTime() - f0) / 1e6, Files.exists(root.resolve("atlas-cli/target/atlas-cli.aot"))
                        ? Files.size(root.resolve("atlas-cli/target/atlas-cli.aot")) / 1024 / 1024 + " MiB" : "absent"));
        List<Variant> variants = new ArrayList<>(List.of(
                new Variant("attach", false, ItEnvironment.agentJar(), false),
                new Variant("attach, ATLAS_CLI_AOT=1", true, ItEnvironment.agentJar(), false)));
        String baseline = System.getProperty("atlas.servers.bench.baselineAgent", "");
        if (!baseline.isBlank()) {
            variants.add(new Variant("attach, baseline agent, no AOT", false, Path.of(baseline), false));
        }
        variants.add(new Variant("apply, no agent, no options", false, ItEnvironment.agentJar(), true));
        variants.add(new Variant("apply --include, no agent", false, ItEnvironment.agentJar(), true, SPRING.include()));
        if (Boolean.getBoolean("atlas.servers.bench.everyClass")) {
            variants.add(new Variant("apply --include **, no agent", false, ItEnvironment.agentJar(), true, "**"));
        }
        lines.add(header());
        for (int r = 0; r < ROUNDS; r++) {
            List<Variant> order = new ArrayList<>(variants);
            if (r % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (Variant v : order) {
                String row = run(atlas, v);
                System.out.println("[bench] " + row);
                lines.add(row);
            }
        }
        Files.write(ItEnvironment.workDir().resolve("late-attach-cost.txt"), lines);
        System.out.println(String.join("\n", lines));
    }

    private static String header() {
        return String.format(Locale.ROOT, "%-31s %6s %5s | %6s %6s %5s %6s %6s %7s %5s %5s %5s | %6s %7s %6s %6s %7s %6s | %5s "
                        + "| %7s %6s | %7s %6s | %6s", "run", "wall", "load", "script", "jvm", "check", "attach", "agent",
                "command", "reply", "exit", "cpu", "select", "retrans", "pipe", "exec", "warmup", "svcCPU", "cls", "att r/s", "p99 x",
                "aft r/s", "p99 x", "ctl p99");
    }

    private static String run(Path atlas, Variant v) throws Exception {
        try (ServerProcess p = ServerProcess.start(ItEnvironment.appV1(), SPRING.mainClass(),
                List.of("-XX:+EnableDynamicAgentLoading"));
             TaggedLoad load = SPRING.load(p, RATE)) {
            pause(WARMUP);
            long c0 = System.nanoTime();
            long cpu0 = cpuMillis(p.pid());
            pause(CONTROL);
            long c1 = System.nanoTime();
            long cpu1 = cpuMillis(p.pid());
            List<String> args = new ArrayList<>();
            if (v.apply) {
                args.addAll(List.of("patch", "apply", Long.toString(p.pid()), AtlasCli.patch(SPRING.pkgs()).toString(),
                        "--timeout", "30s"));
                if (v.include != null) {
                    args.addAll(List.of("--include", v.include));
                }
            } else {
                args.addAll(List.of("attach", Long.toString(p.pid()), "--include", SPRING.include()));
            }
            args.addAll(List.of("--agent-jar", v.agentJar.toString(), "--timings", "--raw"));
            double loadBefore = loadAverage();
            long cpu2 = cpuMillis(p.pid());
            long t0 = System.nanoTime();
            Launched cli = launch(atlas, v.aot, args);
            long t1 = System.nanoTime();
            assertEquals(0, cli.exit, cli::toString);
            pause(AFTER);
            long a1 = System.nanoTime();
            long cpu3 = cpuMillis(p.pid());
            double loadAfter = loadAverage();
            CliRun status = AtlasCli.target(List.of("status"), p.pid(), "--raw");
            assertEquals(0, status.exitCode(), status::toString);
            assertEquals(List.of(), load.failures(), load::toString);
            assertEquals(0, load.mixed(), load::toString);
            Matcher m = TIMINGS.matcher(cli.err);
            assertTrue(m.find(), () -> "no timings line: " + cli);
            Map<String, String> t = pairs(m.group(1).replace(" install:", "").replace(';', ' '));
            CommandReply reply = CommandReply.parse(cli.out.substring(0, cli.out.indexOf("atlas-reply", 1) > 0
                    ? cli.out.indexOf("atlas-reply", 1) : cli.out.length()), "atlas reply");
            double wall = (t1 - t0) / 1e6;
            double control = window(load, c0, c1)[0];
            double controlP99 = window(load, c0, c1)[1];
            double[] during = window(load, t0, t1);
            double[] after = window(load, t1, a1);
            // the service's CPU from the command's start to the end of the window after it, beyond its control rate
            double extraCpu = (cpu3 - cpu2) - (cpu1 - cpu0) / ((c1 - c0) / 1e9) * ((a1 - t0) / 1e9);
            return String.format(Locale.ROOT, "%-31s %6.0f %5.1f | %6s %6s %5s %6s %6s %7s %5s %5.0f %5s | %6s %7s %6s %6s %7s "
                            + "%6.0f | %5s | %7.2f %6.2f | %7.2f %6.2f | %6.1f", v.name, wall, (loadBefore + loadAfter) / 2,
                    t.getOrDefault("script", "-"), t.get("cli-start"), t.get("check"), t.get("attach"), t.get("agent-load"),
                    t.get("command"), t.get("reply"), wall - Double.parseDouble(t.getOrDefault("total", "0")),
                    t.get("cpu"),
                    t.getOrDefault("select", "-"), t.getOrDefault("retransform", "-"), t.getOrDefault("pipeline", "-"),
                    t.getOrDefault("executors", "-"), status.reply().field("warmup-ms") == null ? "-"
                            : status.reply().field("warmup-ms"), extraCpu, reply.field("retransformed"),
                    during[0] / control, during[1] / controlP99, after[0] / control, after[1] / controlP99, controlP99);
        }
    }

    /** Answered requests per second in [from, to), and the p99 (ms) of the requests sent in it. */
    private static double[] window(TaggedLoad load, long from, long to) {
        long[] lat = load.latencies(from, to);
        if (lat.length == 0) {   // a service so far behind that none has completed yet: the p99 is unknown
            return new double[] {load.answeredBetween(from, to) / ((to - from) / 1e9), Double.NaN};
        }
        Arrays.sort(lat);
        int i = (int) Math.ceil(lat.length * 0.99) - 1;
        return new double[] {load.answeredBetween(from, to) / ((to - from) / 1e9), lat[Math.max(0, i)] / 1e6};
    }

    private static Map<String, String> pairs(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : s.trim().split(" +")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return out;
    }

    private record Launched(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** The {@code atlas} launcher in a process of its own, as a user runs it. */
    private static Launched launch(Path atlas, boolean aot, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(atlas.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("ATLAS_CLI_AOT", aot ? "1" : "0");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path out = Files.createTempFile(ItEnvironment.workDir(), "cli", ".out");
        Path err = Files.createTempFile(ItEnvironment.workDir(), "cli", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process proc = pb.start();
        if (!proc.waitFor(300, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new AssertionError("atlas " + args + " did not end within 300 s");
        }
        Launched l = new Launched(proc.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return l;
    }

    /** The CPU time (user + system, ms) process {@code pid} has used: /proc/pid/stat, at 100 clock ticks per second. */
    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;   // utime, stime (fields 14, 15 of stat)
    }

    private static double loadAverage() throws IOException {
        Path p = Path.of("/proc/loadavg");
        return Files.exists(p) ? Double.parseDouble(Files.readString(p).split(" ")[0]) : -1;
    }

    /** The benchmark's own time line (measurement spans, not synchronisation). */
    private static void pause(Duration d) throws InterruptedException {
        Thread.sleep(d);
    }
}
