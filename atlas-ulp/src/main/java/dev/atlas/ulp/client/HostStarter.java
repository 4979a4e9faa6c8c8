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
 * -XX:TrimNativeHeapInterval=10000 [$ATLAS_HOST_JAVA_OPTS] -cp <atlas-ulp jar>
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
     * Options every host starts with: the C heap trimmed every 10 s
     * ({@code TrimNativeHeapInterval}), so that what glibc's malloc arenas keep of the memory
     * freed by ended programs goes back to the system (measured with a pre-touched heap: 1,000
     * sequential hello runs grew the resident set by 12.8 MiB without it, 5.2 MiB with it;
     * docs/ulp.md).
     */
    public static final List<String> DEFAULT_OPTIONS = List.of("-XX:TrimNativeHeapInterval=10000");

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
