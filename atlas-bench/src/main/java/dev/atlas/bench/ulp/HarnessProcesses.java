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
