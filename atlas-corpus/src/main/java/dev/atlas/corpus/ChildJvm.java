package dev.atlas.corpus;

import dev.atlas.corpus.child.SuiteRunner;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM running a release (optionally with the Atlas agent) and the suite runner, driven
 * over a loopback connection of its own (commands one way, status lines the other), which a
 * suite that closes {@code System.out} or {@code System.in} (commons-csv 1.9.0's closes
 * {@code System.out}) does not end. Its standard input is at its end from the start; its
 * standard output goes to {@code child.log} and its standard error to {@code child.err} in its
 * directory, each capped ({@link CappedLog}: the first and the last {@value #LOG_HEAD_BYTES}
 * bytes, with a line saying how much was left out between).
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
 * a third hands the runner's status lines over through a queue.
 *
 * <p>Implementation notes: the harness listens on an ephemeral loopback port for one
 * connection, and takes it as the child's only if its first line is
 * {@code @@atlas-corpus ready <token>}, with the random token given on the child's command line.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Socket channel;
    private final BufferedWriter commands;
    private final BlockingQueue<String> status = new LinkedBlockingQueue<>();
    private final Path dir;
    private final Path work;
    private final Thread outPump;
    private final Thread errPump;
    private final Thread statusPump;
    /** Bytes of a child's output kept at the start of its log, and as many at the end. */
    static final int LOG_HEAD_BYTES = 4 << 20;

    private ChildJvm(Process process, Path dir, Path work, Thread outPump, Thread errPump, Socket channel,
                     BufferedReader statusLines) throws IOException {
        this.process = process;
        this.dir = dir;
        this.work = work;
        this.outPump = outPump;
        this.errPump = errPump;
        this.channel = channel;
        this.commands = new BufferedWriter(new OutputStreamWriter(channel.getOutputStream(), StandardCharsets.UTF_8));
        this.statusPump = daemon("child-status-" + process.pid(), () -> pumpStatus(statusLines));
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
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
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            cmd.add(Integer.toString(server.getLocalPort()));
            cmd.add(token);
            Process p = new ProcessBuilder(cmd).directory(work.toFile()).start();
            p.getOutputStream().close();   // a test that reads standard input finds its end
            Thread out = daemon("child-output-" + p.pid(), () -> pump(p, dir));
            Thread err = daemon("child-errors-" + p.pid(), () -> pumpErrors(p, dir));
            p.onExit().thenRun(() -> closeQuietly(server));   // accept() returns when the child dies first
            Socket channel = null;
            String first;
            BufferedReader lines = null;
            try {
                server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                channel = server.accept();
                channel.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                lines = new BufferedReader(new InputStreamReader(channel.getInputStream(), StandardCharsets.UTF_8));
                first = lines.readLine();
                channel.setSoTimeout(0);
            } catch (IOException e) {
                first = (p.isAlive() ? "no answer in " + timeout.toSeconds() + " s" : "exited with code " + p.waitFor())
                        + " (" + e.getMessage() + ")";
            }
            if (channel == null || !(SuiteRunner.READY + " " + token).equals(first)) {
                closeQuietly(channel);
                p.destroyForcibly();
                p.waitFor();
                out.join(10_000);
                err.join(10_000);
                throw new IOException("the child JVM did not start (see " + dir.resolve("child.err") + "): "
                        + (first == null ? "its connection ended" : first.startsWith(SuiteRunner.READY) ? "wrong token" : first));
            }
            return new ChildJvm(p, dir, work, out, err, channel, lines);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException e) {
            // closing only to wake a waiting accept() or to let go; nothing to do
        }
    }

    private static void stop(Process p) throws InterruptedException {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
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

    /** Hands the runner's status lines over to {@link #status}, then says the connection ended. */
    private void pumpStatus(BufferedReader lines) {
        try (lines) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                status.add(line);
            }
        } catch (IOException e) {
            status.add("@@atlas-corpus error " + e);
        }
        status.add("@@atlas-corpus exited");
    }

    private static void pump(Process process, Path dir) {
        try (InputStream in = process.getInputStream();
             CappedLog log = new CappedLog(dir.resolve("child.log"), LOG_HEAD_BYTES, LOG_HEAD_BYTES)) {
            byte[] buffer = new byte[64 << 10];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                log.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // the child's standard output is gone; what was read is in the log
        }
    }

    private static void pumpErrors(Process process, Path dir) {
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
            stop(process);
        }
        closeQuietly(channel);
        outPump.join(10_000);   // the logs complete (their tails written) before anyone reads them
        errPump.join(10_000);
        statusPump.join(10_000);
    }

    static String agentArgument(Path agentJar, String packageTree) {
        StringBuilder include = new StringBuilder();
        for (String p : packageTree.split(";")) {
            include.append(include.isEmpty() ? "" : ";").append(p).append(".**");
        }
        return "-javaagent:" + agentJar + "=include=" + include + ",boundary=none";
    }

}
