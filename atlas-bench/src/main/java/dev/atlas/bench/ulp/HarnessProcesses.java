package dev.atlas.bench.ulp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The processes the user-level process harnesses start ({@code atlas-run}, {@code java -jar},
 * {@code jcmd}): run one to its end, timed, its stdout kept; and the scratch directory removed.
 *
 * <p>Thread safety: stateless.
 */
final class HarnessProcesses {
    private HarnessProcesses() {
    }

    /** One finished process: its wall time from start to exit, its status and its stdout. */
    record Result(double millis, int status, String out) {
    }

    /**
     * How a harness starts its processes; every side of a comparison is started the same way.
     * {@code jdk}: {@link ProcessBuilder} (on Linux the JDK spawns {@code jspawnhelper}, which
     * executes the program: two {@code exec}s); {@code spawn}: one {@code posix_spawn} and
     * {@code waitpid} ({@link SpawnLauncher}), as a shell starts a command.
     */
    enum Launcher {
        JDK, SPAWN;

        /** The launcher named by the system property {@code property}, else {@code fallback}. */
        static Launcher fromProperty(String property, Launcher fallback) {
            String v = System.getProperty(property);
            if (v == null) {
                return fallback;
            }
            return switch (v) {
                case "jdk" -> JDK;
                case "spawn" -> SPAWN;
                default -> throw new IllegalArgumentException("-D" + property + "=" + v + ": expected jdk or spawn");
            };
        }

        String label() {
            return this == JDK ? "jdk (ProcessBuilder, via jspawnhelper)" : "spawn (posix_spawn + waitpid)";
        }
    }

    /** As {@link #exec(List, Path, Path, Map)}, started by {@code launcher}. */
    static Result exec(Launcher launcher, List<String> cmd, Path dir, Path scratch, Map<String, String> env)
            throws IOException, InterruptedException {
        if (launcher == Launcher.JDK) {
            return exec(cmd, dir, scratch, env);
        }
        Path out = scratch.resolve("stdout.txt");
        SpawnLauncher.Timed t = SpawnLauncher.run(cmd, dir, out, scratch.resolve("stderr.txt"), env);
        return new Result(t.millis(), t.status(), Files.readString(out));
    }

    /**
     * Runs {@code cmd} in {@code dir} with stdin from {@code /dev/null}, the environment
     * extended by {@code env}, stdout and stderr through files in {@code scratch}.
     */
    static Result exec(List<String> cmd, Path dir, Path scratch, Map<String, String> env)
            throws IOException, InterruptedException {
        Path out = scratch.resolve("stdout.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(scratch.resolve("stderr.txt").toFile());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        int status = p.waitFor();
        double ms = (System.nanoTime() - t0) / 1e6;
        return new Result(ms, status, Files.readString(out));
    }

    /** Deletes {@code dir} and everything in it. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
