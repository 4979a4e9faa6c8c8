package dev.atlas.demo.spaces;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM the demo starts with this one's class path, talking to it by lines on stdout; its
 * stderr goes to ours. Closing it closes its stdin (servers stop on that) and waits.
 *
 * <p>Threading contract: one thread uses an instance.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;

    private ChildJvm(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream()));
    }

    /**
     * What Chronicle Map needs on JDK 17+ (its documented --add-exports/--add-opens), plus
     * Unsafe memory access allowed (JDK 24+) and its usage analytics off. The key-value JVMs
     * get these for every way they look keys up, so all ways run under the same flags.
     */
    static final List<String> CHRONICLE_FLAGS = List.of(
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            "-Dchronicle.analytics.disable=true", "-Dslf4j.internal.verbosity=ERROR");

    static ChildJvm start(Class<?> main, String... args) {
        return start(List.of(), main, args);
    }

    static ChildJvm start(List<String> jvmFlags, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx4g"));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        try {
            return new ChildJvm(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + main.getSimpleName(), e);
        }
    }

    /** The next line the child prints that starts with {@code prefix}, split on spaces; fails if it exits first. */
    String[] expect(String prefix) {
        try {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(prefix)) return line.split(" ");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("child exited without printing '" + prefix + "...' (exit code "
                + waitFor() + "); see its stderr above");
    }

    private int waitFor() {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        waitFor();
    }
}
