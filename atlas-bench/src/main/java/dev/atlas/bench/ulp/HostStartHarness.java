package dev.atlas.bench.ulp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cold side of {@code atlas run}: a host started by the run itself, and a real program's
 * first run in a host (its class files not yet cached), with and without the JDK AOT cache
 * ({@code -XX:AOTCache}, JEP 483/514/515) that a host uses when {@code host.aot} is in its
 * directory, against {@code java -jar} of the same programs, in the same rounds.
 *
 * <p>First a training host, started with {@code -XX:AOTCacheOutput}, runs the hello-world jar
 * and ecj once and is stopped: its JVM writes the cache as it exits. Then each round, in a
 * rotating order: a fresh host directory without the cache, one with a copy of it; in each,
 * {@code atlas run hello.jar} (starts the host: the host's start plus the run) and
 * {@code atlas run ecj.jar ...} (ecj's first run there), then {@code host stop}; and
 * {@code java -jar} of both. Every run must print what {@code java -jar} prints.
 *
 * <p>Usage (from the repository root, after {@code ./atlas build}):
 * {@snippet lang=sh :
 * java -cp atlas-bench/target/atlas-bench.jar dev.atlas.bench.ulp.HostStartHarness [rounds=5]
 * }
 */
public final class HostStartHarness {
    private final Path client;
    private final Path ulpJar;
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private final Path tmp;

    private HostStartHarness(Path root, Path tmp) {
        this.client = root.resolve("atlas-ulp/target/native/atlas-run");
        this.ulpJar = root.resolve("atlas-ulp/target/atlas-ulp.jar");
        this.tmp = tmp;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = Path.of(System.getProperty("atlas.root", "")).toAbsolutePath();
        Path tmp = Files.createTempDirectory("ulp-start-bench");
        try {
            new HostStartHarness(root, tmp).run(rounds, root.resolve("atlas-ulp/target/programs/ecj.jar"));
        } finally {
            HarnessProcesses.deleteTree(tmp);
        }
    }

    private void run(int rounds, Path ecj) throws Exception {
        for (Path p : List.of(client, ulpJar, ecj)) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(p + " is missing: build first (./atlas build)");
            }
        }
        Path hello = BenchJars.jar(tmp, "Hello", BenchJars.HELLO);
        Path work = Files.createDirectories(tmp.resolve("work"));
        Files.createDirectories(work.resolve("src/p"));
        Files.writeString(work.resolve("src/p/A.java"),
                "package p;\npublic class A { public static void main(String[] a) { System.out.println(\"hi\"); } }\n");
        List<String> helloArgs = List.of("run", hello.toString(), "world");
        List<String> ecjArgs = List.of("run", ecj.toString(), "-17", "-proc:none", "-d", "out", "src/p/A.java");
        System.out.printf(Locale.ROOT, "HostStartHarness rounds=%d java=%s cpus=%d%n", rounds, java,
                Runtime.getRuntime().availableProcessors());

        Path training = tmp.resolve("host-training");
        Path cache = training.resolve("host.aot");
        Map<String, String> trainingEnv = Map.of("ATLAS_HOST_JAVA_OPTS", "-XX:AOTCacheOutput=" + cache);
        expect(atlas(helloArgs, training, work, trainingEnv), "hello world\n");
        expect(atlas(ecjArgs, training, work, trainingEnv), "");
        long t0 = System.nanoTime();
        atlas(List.of("host", "stop"), training, work, Map.of());
        while (!Files.isRegularFile(cache) || Files.exists(training.resolve("host.aot.config"))) {
            if (System.nanoTime() - t0 > 300_000_000_000L) {
                throw new IllegalStateException("no AOT cache written in 5 minutes; see " + training.resolve("host.log"));
            }
            Thread.sleep(200);   // an outside process writes it: poll
        }
        System.out.printf(Locale.ROOT, "AOT cache %d KiB, written %.1f s after host stop%n", Files.size(cache) >> 10,
                (System.nanoTime() - t0) / 1e9);

        List<List<Double>> ms = new ArrayList<>();   // cold hello, first ecj: plain, aot; java -jar hello, ecj
        for (int i = 0; i < 6; i++) {
            ms.add(new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                boolean aot = (r + k) % 2 == 1;
                // a host directory must be the user's alone (mode 0700), or the host refuses it
                Path dir = Files.createDirectory(tmp.resolve("host-" + r + (aot ? "-aot" : "-plain")),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                if (aot) {
                    Files.copy(cache, dir.resolve("host.aot"));
                }
                HarnessProcesses.Result h = expect(atlas(helloArgs, dir, work, Map.of()), "hello world\n");
                HarnessProcesses.Result e = expect(atlas(ecjArgs, dir, work, Map.of()), "");
                atlas(List.of("host", "stop"), dir, work, Map.of());
                ms.get(aot ? 1 : 0).add(h.millis());
                ms.get(aot ? 3 : 2).add(e.millis());
            }
            ms.get(4).add(expect(HarnessProcesses.exec(List.of(java.toString(), "-jar", hello.toString(), "world"), work,
                    tmp, Map.of()), "hello world\n").millis());
            List<String> ecjJava = new ArrayList<>(List.of(java.toString(), "-jar"));
            ecjJava.addAll(ecjArgs.subList(1, ecjArgs.size()));
            ms.get(5).add(expect(HarnessProcesses.exec(ecjJava, work, tmp, Map.of()), "").millis());
        }
        double[] m = new double[6];
        for (int i = 0; i < 6; i++) {
            m[i] = BenchJars.median(ms.get(i));
        }
        System.out.printf(Locale.ROOT, "medians over %d rounds:%n"
                        + "  atlas run hello, starting the host: %8.1f ms, with the AOT cache %8.1f ms (%.2fx)%n"
                        + "  atlas run ecj, first run in a host: %8.1f ms, with the AOT cache %8.1f ms (%.2fx)%n"
                        + "  java -jar hello %8.1f ms, java -jar ecj %8.1f ms%n"
                        + "  java -jar / atlas run (first run, AOT cache): hello %.2fx, ecj %.2fx; without the cache: %.2fx, %.2fx%n",
                rounds, m[0], m[1], m[0] / m[1], m[2], m[3], m[2] / m[3], m[4], m[5], m[4] / m[1], m[5] / m[3],
                m[4] / m[0], m[5] / m[2]);
    }

    private HarnessProcesses.Result expect(HarnessProcesses.Result r, String out) throws IOException {
        if (r.status() != 0 || !r.out().equals(out)) {
            throw new IllegalStateException("a run exited " + r.status() + " with stdout '" + r.out() + "', expected 0 and '"
                    + out + "'; stderr: " + Files.readString(tmp.resolve("stderr.txt")));
        }
        return r;
    }

    private HarnessProcesses.Result atlas(List<String> args, Path hostDir, Path work, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(client.toString()));
        cmd.addAll(args);
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("ATLAS_HOST_DIR", hostDir.toString());
        all.put("ATLAS_JAVA", java.toString());
        all.put("ATLAS_ULP_JAR", ulpJar.toString());
        return HarnessProcesses.exec(cmd, work, tmp, all);
    }
}
