package dev.atlas.bench.ulp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code atlas run} against {@code java -jar}, start to exit, for the same programs in the
 * same run: a hello-world jar, the Eclipse compiler compiling one class, PlantUML rendering a
 * text diagram. Each round runs {@code java -jar}, {@code atlas run}, and {@code atlas run} on
 * a second host whose class file cache is off ({@code -Datlas.ulp.classCacheMiB=0}), rotating
 * which goes first; a round whose outputs (stdout, exit status) differ aborts the harness, so
 * the sides did the same work. {@code /bin/true} runs in every round too, started the same
 * way: what starting and reaping a process costs the harness, printed next to the medians
 * (it is in every side's figures; nothing is subtracted).
 *
 * <p>Every process is started the same way, chosen by {@code -Datlas.bench.launch}:
 * {@code spawn} (the default: one {@code posix_spawn} of glibc and {@code waitpid},
 * {@link SpawnLauncher}, as a shell starts a command) or {@code jdk} ({@link ProcessBuilder},
 * which on Linux spawns the JDK's {@code jspawnhelper} that then executes the program: two
 * {@code exec}s and the JDK's reaper thread per process).
 *
 * <p>The host is the user's daemon, started by the first {@code atlas run} in a fresh host
 * directory (that cold run is reported on its own); every program's first run in the host
 * (its class files not yet cached) is also reported on its own. The client is the native
 * {@code atlas-run} that {@code ./atlas run} uses.
 *
 * <p>The rounds are measured twice per program: first in a young host (right after the
 * program's first run: the host's own code is still interpreted, as in the first minutes of a
 * daemon), then again after {@code -Datlas.bench.warmup} (default 200) further runs of that program
 * in both hosts, as in a daemon that has served a while. {@code java -jar} gets no such
 * warm-up (a new JVM every time); its medians are taken in both phases.
 *
 * <p>Usage (from the repository root, after {@code ./atlas build}):
 * {@snippet lang=sh :
 * java --enable-native-access=ALL-UNNAMED -cp atlas-bench/target/atlas-bench.jar dev.atlas.bench.ulp.RunLatencyHarness [rounds=15]
 * }
 * {@code -Datlas.bench.programs=hello,ecj,plantuml} (the default) chooses the programs.
 * Paths: {@code -Datlas.root} (default: the working directory) locates
 * {@code atlas-ulp/target/native/atlas-run}, {@code atlas-ulp/target/atlas-ulp.jar} and the
 * programs in {@code atlas-ulp/target/programs}.
 */
public final class RunLatencyHarness {
    private final Path client;
    private final Path ulpJar;
    /** A process that does nothing: what starting and reaping a process costs the harness, measured in the same rounds. */
    private static final String TRUE = "/bin/true";
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private final Path tmp;
    private final Path hostDir;
    private final Path uncachedHostDir;
    private final HarnessProcesses.Launcher launcher =
            HarnessProcesses.Launcher.fromProperty("atlas.bench.launch", HarnessProcesses.Launcher.SPAWN);

    private RunLatencyHarness(Path root, Path tmp) {
        this.client = root.resolve("atlas-ulp/target/native/atlas-run");
        this.ulpJar = root.resolve("atlas-ulp/target/atlas-ulp.jar");
        this.tmp = tmp;
        this.hostDir = tmp.resolve("host");
        this.uncachedHostDir = tmp.resolve("host-uncached");
    }

    /** One program to run both ways: its jar, arguments, and input files in its working directory. */
    private record Case(String name, Path jar, List<String> args, Map<String, String> inputs) {
    }

    /** One run: wall time and what it printed. */

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Path root = Path.of(System.getProperty("atlas.root", "")).toAbsolutePath();
        Path tmp = Files.createTempDirectory("ulp-run-bench");
        RunLatencyHarness h = new RunLatencyHarness(root, tmp);
        try {
            h.run(rounds, root.resolve("atlas-ulp/target/programs"));
        } finally {
            h.atlas(List.of("host", "stop"), tmp);
            h.exec(h.uncached(List.of("host", "stop")), tmp);
            HarnessProcesses.deleteTree(tmp);
        }
    }

    private void run(int rounds, Path programs) throws Exception {
        for (Path p : List.of(client, ulpJar, programs.resolve("ecj.jar"), programs.resolve("plantuml.jar"))) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(p + " is missing: build first (./atlas build)");
            }
        }
        Path hello = BenchJars.jar(tmp, "Hello", BenchJars.HELLO);
        List<Case> cases = List.of(
                new Case("hello-world jar", hello, List.of("world"), Map.of()),
                new Case("ecj (compile 1 class)", programs.resolve("ecj.jar"),
                        List.of("-17", "-proc:none", "-d", "out", "src/p/A.java"),
                        Map.of("src/p/A.java", "package p;\npublic class A { public static void main(String[] a) { System.out.println(\"hi\"); } }\n")),
                new Case("plantuml (text diagram)", programs.resolve("plantuml.jar"), List.of("-ttxt", "d/seq.puml"),
                        Map.of("d/seq.puml", "@startuml\nAlice -> Bob: hello\nBob --> Alice: ok\n@enduml\n")));
        System.out.printf(Locale.ROOT, "RunLatencyHarness rounds=%d java=%s cpus=%d launch=%s load average %s%n", rounds, java,
                Runtime.getRuntime().availableProcessors(), launcher.label(), loadAverage());
        HarnessProcesses.Result cold = atlas(List.of("run", hello.toString(), "world"), tmp);
        System.out.printf(Locale.ROOT, "first atlas run (starts the host):      %8.1f ms%n", cold.millis());
        List<String> only = List.of(System.getProperty("atlas.bench.programs", "hello,ecj,plantuml").split(","));
        for (String name : only) {
            if (cases.stream().noneMatch(c -> c.name().startsWith(name))) {
                throw new IllegalArgumentException("-Datlas.bench.programs: no program '" + name + "'; expected hello, ecj or plantuml");
            }
        }
        for (Case c : cases) {
            if (only.stream().anyMatch(c.name()::startsWith)) {
                measure(c, rounds);
            }
        }
        System.out.print(atlas(List.of("host", "status"), tmp).out());
        System.out.printf(Locale.ROOT, "load average at the end %s%n", loadAverage());
    }

    /** The first three fields of {@code /proc/loadavg} (1, 5 and 15 minutes), or "?" where there is none. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private void measure(Case c, int rounds) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("work-" + c.name().replaceAll("[^a-z]", "")));
        for (Map.Entry<String, String> in : c.inputs().entrySet()) {
            Path p = dir.resolve(in.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, in.getValue());
        }
        List<String> runArgs = new ArrayList<>(List.of("run", c.jar().toString()));
        runArgs.addAll(c.args());
        List<String> javaArgs = new ArrayList<>(List.of(java.toString(), "-jar", c.jar().toString()));
        javaArgs.addAll(c.args());
        HarnessProcesses.Result first = atlas(runArgs, dir);
        exec(uncached(runArgs), dir);   // starts the second host (not measured)
        List<List<String>> sides = List.of(javaArgs, atlasCommand(runArgs), uncached(runArgs), List.of(TRUE));
        rounds(c, "young host", sides, dir, rounds, first);
        int warmup = Integer.getInteger("atlas.bench.warmup", 200);
        for (int i = 0; i < warmup; i++) {
            requireSuccess(c, exec(sides.get(1), dir));
            requireSuccess(c, exec(sides.get(2), dir));
        }
        rounds(c, "after " + warmup + " more runs in the host", sides, dir, rounds, first);
    }

    /** A warm-up run must succeed as the measured ones do. */
    private static void requireSuccess(Case c, HarnessProcesses.Result r) {
        if (r.status() != 0) {
            throw new IllegalStateException(c.name() + ": warm-up run exited with status " + r.status() + ":\n" + r.out());
        }
    }

    private void rounds(Case c, String phase, List<List<String>> sides, Path dir, int rounds, HarnessProcesses.Result first)
            throws Exception {
        int n = sides.size();
        List<List<Double>> ms = new ArrayList<>();
        for (int side = 0; side < n; side++) {
            ms.add(new ArrayList<>());
        }
        int atlasFaster = 0;
        for (int r = 0; r < rounds; r++) {
            HarnessProcesses.Result[] runs = new HarnessProcesses.Result[n];
            for (int k = 0; k < n; k++) {
                int side = (r + k) % n;
                runs[side] = exec(sides.get(side), dir);
            }
            if (runs[3].status() != 0) {
                throw new IllegalStateException(TRUE + " exited with status " + runs[3].status());
            }
            for (int side = 1; side < 3; side++) {
                if (runs[side].status() != runs[0].status() || !runs[side].out().equals(runs[0].out())) {
                    throw new IllegalStateException(c.name() + ": " + sides.get(side) + " and java -jar differ: status "
                            + runs[side].status() + " vs " + runs[0].status() + ", stdout\n" + runs[side].out() + "\nvs\n" + runs[0].out());
                }
            }
            for (int side = 0; side < n; side++) {
                ms.get(side).add(runs[side].millis());
            }
            if (runs[1].millis() < runs[0].millis()) {
                atlasFaster++;
            }
        }
        double jm = BenchJars.median(ms.get(0));
        double am = BenchJars.median(ms.get(1));
        double um = BenchJars.median(ms.get(2));
        double tm = BenchJars.median(ms.get(3));
        System.out.printf(Locale.ROOT, "%s, %s (load average %s)%n  java -jar        median %8.1f ms (p90 %8.1f)%n"
                        + "  atlas run        median %8.1f ms (p90 %8.1f, max %8.1f), first run in the host %8.1f ms%n"
                        + "  atlas run, class file cache off: median %8.1f ms%n"
                        + "  %s (started the same way, same rounds): median %8.1f ms (p90 %8.1f)%n"
                        + "  java -jar / atlas run %.1fx, java -jar / atlas run cache off %.1fx; atlas run faster in %d of %d rounds%n",
                c.name(), phase, loadAverage(), jm, BenchJars.quantile(ms.get(0), 0.9), am, BenchJars.quantile(ms.get(1), 0.9),
                BenchJars.quantile(ms.get(1), 1.0), first.millis(), um, TRUE, tm, BenchJars.quantile(ms.get(3), 0.9),
                jm / am, jm / um, atlasFaster, rounds);
    }

    private List<String> atlasCommand(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(client.toString()));
        cmd.addAll(args);
        return cmd;
    }

    /** The client command for the host with the class file cache off. */
    private List<String> uncached(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "ATLAS_HOST_DIR=" + uncachedHostDir,
                "ATLAS_HOST_JAVA_OPTS=-Datlas.ulp.classCacheMiB=0"));
        cmd.addAll(atlasCommand(args));
        return cmd;
    }

    private HarnessProcesses.Result atlas(List<String> args, Path dir) throws IOException, InterruptedException {
        return exec(atlasCommand(args), dir);
    }

    private HarnessProcesses.Result exec(List<String> cmd, Path dir) throws IOException, InterruptedException {
        return HarnessProcesses.exec(launcher, cmd, dir, tmp, Map.of("ATLAS_HOST_DIR", hostDir.toString(),
                "ATLAS_JAVA", java.toString(), "ATLAS_ULP_JAR", ulpJar.toString()));
    }
}
