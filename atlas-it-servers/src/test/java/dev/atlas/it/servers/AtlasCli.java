package dev.atlas.it.servers;

import dev.atlas.cli.CliRun;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code atlas} command line, run in the test JVM exactly as {@code main} would (without
 * exiting), against the agent jar the build made; and the patches of each server's package,
 * built once by {@code atlas patch build app-v1 app-v2 --include <package>.**}.
 */
final class AtlasCli {
    private static final Map<String, Path> PATCHES = new ConcurrentHashMap<>();

    private AtlasCli() {}

    static CliRun run(String... args) {
        return CliRun.atlas(args);
    }

    /** {@code atlas <subcommand...> <pid> --agent-jar <jar> <args...>}. */
    static CliRun target(List<String> subcommand, long pid, String... args) {
        List<String> all = new ArrayList<>(subcommand);
        all.add(Long.toString(pid));
        all.addAll(List.of(args));
        all.add("--agent-jar");
        all.add(ItEnvironment.agentJar().toString());
        return run(all.toArray(String[]::new));
    }

    /** The v1 -> v2 patch of application packages (e.g. {@code it.spring}), built once per test JVM. */
    static Path patch(List<String> pkgs) {
        return patch(String.join("+", pkgs), "--include", String.join(",", pkgs.stream().map(x -> x + ".**").toList()));
    }

    /**
     * The v1 -> v2 patch built with {@code options} ({@code --include}, {@code --exclude}), named
     * {@code name}, built once per test JVM.
     */
    static Path patch(String name, String... options) {
        return PATCHES.computeIfAbsent(name, p -> {
            Path out = ItEnvironment.workDir().resolve(p + ".atlaspatch");
            List<String> args = new ArrayList<>(List.of("patch", "build", ItEnvironment.appV1().toString(),
                    ItEnvironment.appV2().toString(), "-o", out.toString()));
            args.addAll(List.of(options));
            args.addAll(List.of("-m", p + " v1 -> v2"));
            CliRun r = run(args.toArray(String[]::new));
            if (r.exitCode() != 0) {
                throw new IllegalStateException("atlas patch build for " + p + " failed: " + r);
            }
            return out;
        });
    }
}
