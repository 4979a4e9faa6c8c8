package dev.atlas.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the {@code atlas} command as a user would (its jar in a JVM of its own): {@code atlas
 * patch build} and {@code atlas patch apply --raw}.
 *
 * <p>Threading: stateless apart from its paths; each call starts one process.
 */
final class CliDriver {
    private final Path cliJar;
    private final Path agentJar;

    CliDriver(Path cliJar, Path agentJar) {
        this.cliJar = cliJar;
        this.agentJar = agentJar;
    }

    Path agentJar() {
        return agentJar;
    }

    /** The outcome of {@code atlas patch build}: refusal lines (empty when built), the builder's notes, wall time. */
    record Build(boolean built, List<String> refusals, List<String> notes, String changes, long millis, String output) {
    }

    /** The outcome of {@code atlas patch apply --raw}: the reply's status and fields, wall time as the CLI's caller sees it. */
    record Apply(int exitCode, String status, Map<String, String> fields, String text, long millis) {
        boolean inEffect() {
            return exitCode == 0 && status.equals("ok");
        }
    }

    Build build(Path oldJar, Path newJar, List<Path> classpath, Path patch, Path log) throws IOException, InterruptedException {
        return build(oldJar, newJar, classpath, patch, log, List.of());
    }

    /** {@link #build(Path, Path, List, Path, Path)} with more options of {@code atlas patch build} ({@code --exclude ..}). */
    Build build(Path oldJar, Path newJar, List<Path> classpath, Path patch, Path log, List<String> options)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("patch", "build", oldJar.toString(), newJar.toString(), "-o", patch.toString()));
        args.addAll(options);
        if (!classpath.isEmpty()) {
            args.add("--classpath");
            args.add(ReleaseClasspath.join(classpath));
        }
        long start = System.nanoTime();
        Result r = run(args, log);
        long ms = (System.nanoTime() - start) / 1_000_000;
        List<String> refusals = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        StringBuilder changes = new StringBuilder();
        for (String line : r.output.split("\n")) {
            if (line.startsWith("  ") && !Files.exists(patch)) {
                refusals.add(line.strip());
            } else if (line.startsWith("note: ")) {
                notes.add(line.substring(6));
            } else if (r.exitCode == 0 && !line.startsWith("wrote ")) {
                changes.append(line).append('\n');
            }
        }
        return new Build(r.exitCode == 0 && Files.exists(patch), refusals, notes, changes.toString(), ms, r.output);
    }

    Apply apply(long pid, Path patch, Path log) throws IOException, InterruptedException {
        return reply(List.of("patch", "apply", Long.toString(pid), patch.toString(), "--timeout", "120s", "--raw"), log);
    }

    /** {@code atlas patch rollback <pid> --raw}: the reply as {@link #apply} reads it. */
    Apply rollback(long pid, Path log) throws IOException, InterruptedException {
        return reply(List.of("patch", "rollback", Long.toString(pid), "--timeout", "120s", "--raw"), log);
    }

    /** {@code atlas status <pid>}: exit code and text. */
    Apply status(long pid, Path log) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Result r = run(List.of("status", Long.toString(pid)), log);
        return new Apply(r.exitCode, r.exitCode == 0 ? "ok" : "failed", Map.of(), r.output, (System.nanoTime() - start) / 1_000_000);
    }

    private Apply reply(List<String> args, Path log) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Result r = run(args, log);
        long ms = (System.nanoTime() - start) / 1_000_000;
        Map<String, String> fields = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder();
        boolean body = false;
        for (String line : r.output.split("\n")) {
            if (body) {
                text.append(line).append('\n');
            } else if (line.isEmpty()) {
                body = true;
            } else if (line.contains("=") && !line.startsWith("atlas-reply")) {
                int eq = line.indexOf('=');
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return new Apply(r.exitCode, fields.getOrDefault("status", "no reply"), fields,
                text.isEmpty() ? r.output : text.toString(), ms);
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(List<String> args, Path log) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Datlas.agent.jar=" + agentJar);
        cmd.add("-jar");
        cmd.add(cliJar.toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int rc = p.waitFor();
        return new Result(rc, Files.readString(log, StandardCharsets.UTF_8));
    }
}
