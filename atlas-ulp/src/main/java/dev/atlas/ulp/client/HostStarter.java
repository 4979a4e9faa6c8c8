package dev.atlas.ulp.client;

import dev.atlas.ulp.daemon.HostPaths;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a host daemon for the user, detached from the client (its own session, output to
 * {@code host.log}), like a build daemon: {@code java [-XX:AOTCache=<dir>/host.aot]
 * -XX:TrimNativeHeapInterval=10000
 * -XX:TieredStopAtLevel=1 [$ATLAS_HOST_JAVA_OPTS] -cp <atlas-ulp jar>
 * dev.atlas.ulp.UlpMain host serve}, with the AOT cache only if that file exists (the JVM runs
 * without it, with a warning in the log, if it was made for another build), and
 * {@link #DEFAULT_OPTIONS} before the user's options (which may override them). The native
 * client ({@code src/main/c/atlas_run.c}) starts it the same way.
 *
 * @param java      the {@code java} launcher
 * @param classPath the host's class path (the atlas-ulp jar, whose manifest names its libraries)
 * @param javaOpts  extra JVM options
 */
public record HostStarter(Path java, String classPath, List<String> javaOpts) {
    /**
     * Options every host starts with (the user's, after them, may override them; docs/ulp.md,
     * "Memory of a long-lived host"):
     * <ul>
     *   <li>the C heap trimmed every 10 s ({@code TrimNativeHeapInterval}), so that what glibc's
     *       malloc arenas keep of the memory freed by ended programs goes back to the system
     *       (1,000 hello runs, heap pre-touched: +12.8 MiB resident without it, +5.2 MiB with it);
     *   <li>the JIT's first tier only ({@code TieredStopAtLevel=1}: C1 without profiling). In JDK
     *       25 the lock of a method's profile ({@code MethodData::extra_data_lock}) is not freed
     *       when its class unloads (<a href="https://bugs.openjdk.org/browse/JDK-8390874">JDK-8390874</a>): each ecj run's program classes, profiled and
     *       unloaded, left about 30 KiB of C heap (NMT {@code Synchronization} and {@code Internal},
     *       +7.5 MiB over 300 runs, linear). Without profiles there are no such locks (NMT
     *       {@code Synchronization} flat at 30-37 KiB over 75 and 125 runs; over 1,000 ecj runs the
     *       RSS was flat over the last 500), and ecj's runs took about as long. Programs that compute for long lose C2's
     *       code; {@code ATLAS_HOST_JAVA_OPTS=-XX:TieredStopAtLevel=4} gives it back (and the leak).
     * </ul>
     */
    public static final List<String> DEFAULT_OPTIONS = List.of("-XX:TrimNativeHeapInterval=10000", "-XX:TieredStopAtLevel=1");

    /** The starter for this JVM's own {@code java} and class path. */
    public static HostStarter ofThisJvm() {
        String opts = System.getenv().getOrDefault("ATLAS_HOST_JAVA_OPTS", "");
        return new HostStarter(Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"), opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+")));
    }

    /** Starts the host process (returns at once; the caller waits for its socket). */
    public Process start(HostPaths paths) throws IOException {
        paths.prepare();
        ProcessBuilder pb = new ProcessBuilder(command(paths))
                .directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(paths.log().toFile()))
                .redirectErrorStream(true);
        pb.environment().put("ATLAS_HOST_DIR", paths.dir().toString());
        return pb.start();
    }

    /** The command that starts a host in {@code paths} now (the AOT cache only if its file exists). */
    public List<String> command(HostPaths paths) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(java.toString());
        if (Files.isRegularFile(paths.aotCache())) {
            cmd.add("-XX:AOTCache=" + paths.aotCache());
        }
        cmd.addAll(DEFAULT_OPTIONS);
        cmd.addAll(javaOpts);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add("dev.atlas.ulp.UlpMain");
        cmd.add("host");
        cmd.add("serve");
        return cmd;
    }
}
