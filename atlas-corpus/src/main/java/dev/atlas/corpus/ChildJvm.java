package dev.atlas.corpus;

import dev.atlas.corpus.child.SuiteRunner;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM running a release (optionally with the Atlas agent) and the suite runner, driven
 * over its standard input; its output goes to {@code child.log} in its directory.
 *
 * <p>Threading: one harness thread drives it; a daemon thread copies its output to the log
 * and hands the runner's status lines over through a queue.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BufferedWriter commands;
    private final BlockingQueue<String> status = new LinkedBlockingQueue<>();
    private final Path dir;

    private ChildJvm(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
        this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        Thread pump = new Thread(this::pump, "child-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code java [jvmArgs] -cp runner:classpath SuiteRunner} in {@code dir} and waits
     * until the runner is ready.
     */
    static ChildJvm start(Path dir, List<String> jvmArgs, Path runnerClasses, List<Path> classpath, Duration timeout)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        List<Path> cp = new ArrayList<>();
        cp.add(runnerClasses);
        cp.addAll(classpath);
        cmd.add("-cp");
        cmd.add(ReleaseClasspath.join(cp));
        cmd.add(SuiteRunner.class.getName());
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(dir.resolve("child.err").toFile()).start();
        ChildJvm child = new ChildJvm(p, dir);
        String first = child.status.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (first == null || !first.startsWith("@@atlas-corpus ready")) {
            child.close();
            throw new IOException("the child JVM did not start (see " + dir.resolve("child.err") + "): "
                    + (first == null ? "no answer in " + timeout.toSeconds() + " s" : first));
        }
        return child;
    }

    long pid() {
        return process.pid();
    }

    /** Runs the tests in {@code testJars} in the child; empty if it did not finish in time (the child is then killed). */
    SuiteOutcome run(String label, List<Path> testJars, List<Path> extras, Duration timeout)
            throws IOException, InterruptedException {
        Path results = dir.resolve(label + ".results");
        commands.write("run\t" + label + "\t" + results + "\t" + ReleaseClasspath.join(testJars) + "\t"
                + ReleaseClasspath.join(extras) + "\n");
        commands.flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : status.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                close();
                throw new IOException(label + ": the tests did not finish within " + timeout.toMinutes() + " min"
                        + (process.isAlive() ? "" : " (the child JVM exited, code " + process.exitValue() + ")")
                        + "; see " + dir);
            }
            if (line.startsWith("@@atlas-corpus exited") || line.startsWith("@@atlas-corpus error")) {
                close();
                throw new IOException(label + ": the child JVM " + (process.isAlive() ? "failed" : "exited (code "
                        + process.exitValue() + ")") + " before the tests finished: " + lastLine(dir.resolve("child.err")));
            }
            if (line.startsWith(SuiteRunner.DONE + " " + label + " ")) {
                String[] f = line.substring(SuiteRunner.DONE.length() + label.length() + 2).split(" ");
                return SuiteOutcome.read(results, Long.parseLong(f[4]));
            }
        }
    }

    private static String lastLine(Path file) {
        try {
            String last = "no output on stderr";
            for (String l : Files.readAllLines(file)) {
                if (!l.isBlank() && !l.startsWith("\tat ")) {
                    last = l;
                }
            }
            return last;
        } catch (IOException e) {
            return "stderr unreadable: " + e.getMessage();
        }
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter log = new PrintWriter(Files.newBufferedWriter(dir.resolve("child.log")))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                log.println(line);
                if (line.startsWith("@@atlas-corpus ")) {
                    status.add(line);
                    log.flush();
                }
            }
        } catch (IOException e) {
            status.add("@@atlas-corpus error " + e);
        }
        status.add("@@atlas-corpus exited");
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                commands.write("exit\n");
                commands.flush();
            } catch (IOException e) {
                // the child has gone already
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    static String agentArgument(Path agentJar, String packageTree) {
        return "-javaagent:" + agentJar + "=include=" + packageTree + ".**,boundary=none";
    }

}
