package dev.atlas.corpus;

import dev.atlas.corpus.child.SuiteRunner;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
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
 * over its standard input; its standard output goes to {@code child.log} and its standard
 * error to {@code child.err} in its directory, each capped ({@link CappedLog}: the first and
 * the last {@value #LOG_HEAD_BYTES} bytes, with a line saying how much was left out between).
 *
 * <p>The JVM's working directory is {@code work/} in its directory: emptied when the JVM
 * starts, and again before each suite it runs (what an earlier suite left there is moved to
 * {@code <label>.leftovers/}), so that every suite starts in a working directory that holds
 * only its own test resources ({@link SuiteLayout}: {@code target/test-classes/}, which is
 * first on the JVM's class path, and {@code src/test/resources/}), as it would in a build of
 * its own. Suites that write relative paths (commons-io's tests create
 * {@code target/..} directories and fail if one is already there) then do not see what the
 * other release's suite left.
 *
 * <p>Threading: one harness thread drives it; two daemon threads copy its output to the logs,
 * one of them handing the runner's status lines over through a queue.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BufferedWriter commands;
    private final BlockingQueue<String> status = new LinkedBlockingQueue<>();
    private final Path dir;
    private final Path work;
    private final Thread outPump;
    private final Thread errPump;
    /** Bytes of a child's output kept at the start of its log, and as many at the end. */
    static final int LOG_HEAD_BYTES = 4 << 20;

    private ChildJvm(Process process, Path dir, Path work) {
        this.process = process;
        this.dir = dir;
        this.work = work;
        this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.outPump = new Thread(this::pump, "child-output-" + process.pid());
        this.errPump = new Thread(this::pumpErrors, "child-errors-" + process.pid());
        outPump.setDaemon(true);
        errPump.setDaemon(true);
        outPump.start();
        errPump.start();
    }

    /** The JVM's working directory ({@code work/} in its directory). */
    Path workingDirectory() {
        return work;
    }

    /**
     * Empties {@code work}: its entries are moved to {@code leftovers} (created if needed), or
     * deleted when {@code leftovers} is null.
     */
    static void emptyDirectory(Path work, Path leftovers) throws IOException {
        if (!Files.isDirectory(work)) {
            Files.createDirectories(work);
            return;
        }
        List<Path> entries;
        try (var list = Files.list(work)) {
            entries = list.toList();
        }
        if (entries.isEmpty()) {
            return;
        }
        if (leftovers == null) {
            for (Path e : entries) {
                deleteTree(e);
            }
            return;
        }
        deleteTree(leftovers);
        Files.createDirectories(leftovers);
        for (Path e : entries) {
            Files.move(e, leftovers.resolve(e.getFileName()));
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                q.toFile().setWritable(true);
                Files.deleteIfExists(q);
            }
        }
    }

    /**
     * Starts {@code java [jvmArgs] -cp runner:classpath SuiteRunner} in {@code dir} and waits
     * until the runner is ready.
     */
    static ChildJvm start(Path dir, List<String> jvmArgs, Path runnerClasses, List<Path> classpath, Duration timeout)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path work = dir.resolve("work");
        emptyDirectory(work, null);   // nothing of an earlier corpus run
        Files.createDirectories(SuiteLayout.testClasses(work));   // a directory entry of the class path only if it exists at start
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        List<Path> cp = new ArrayList<>();
        cp.add(runnerClasses);
        cp.add(SuiteLayout.testClasses(work));   // each suite's test resources, first as Surefire has them
        cp.addAll(classpath);
        cmd.add("-cp");
        cmd.add(ReleaseClasspath.join(cp));
        cmd.add(SuiteRunner.class.getName());
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).start();
        ChildJvm child = new ChildJvm(p, dir, work);
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

    /** {@link #run(String, List, List, Duration, String)} of every test class of the jars. */
    SuiteOutcome run(String label, List<Path> testJars, List<Path> extras, Duration timeout)
            throws IOException, InterruptedException {
        return run(label, testJars, extras, timeout, null);
    }

    /**
     * Runs the tests in {@code testJars} in the child, in an emptied working directory.
     *
     * @param classes null, or a regular expression the test classes must match (besides the
     *                JVM's own filter)
     * @throws IOException if the tests did not finish in time (the child is then killed)
     */
    SuiteOutcome run(String label, List<Path> testJars, List<Path> extras, Duration timeout, String classes)
            throws IOException, InterruptedException {
        Path results = dir.resolve(label + ".results");
        emptyDirectory(work, dir.resolve(label + ".leftovers"));
        SuiteLayout.layOut(work, testJars);
        commands.write("run\t" + label + "\t" + results + "\t" + ReleaseClasspath.join(testJars) + "\t"
                + ReleaseClasspath.join(extras) + (classes == null ? "" : "\t" + classes) + "\n");
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
             CappedLog log = new CappedLog(dir.resolve("child.log"), LOG_HEAD_BYTES, LOG_HEAD_BYTES)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
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

    private void pumpErrors() {
        try (InputStream in = process.getErrorStream();
             CappedLog log = new CappedLog(dir.resolve("child.err"), LOG_HEAD_BYTES, LOG_HEAD_BYTES)) {
            byte[] buffer = new byte[64 << 10];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                log.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // the child's standard error is gone; what was read is in the log
        }
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
        outPump.join(10_000);   // the logs complete (their tails written) before anyone reads them
        errPump.join(10_000);
    }

    static String agentArgument(Path agentJar, String packageTree) {
        return "-javaagent:" + agentJar + "=include=" + packageTree + ".**,boundary=none";
    }

}
