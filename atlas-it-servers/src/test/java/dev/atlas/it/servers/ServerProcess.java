package dev.atlas.it.servers;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One application on a real server in a child JVM (the test's own java): its standard output
 * read line by line (it announces its port as {@code PORT n}), the tail of its standard error
 * kept for failure messages.
 *
 * <p>Threading: confined to the test thread, apart from the two pump threads it starts.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();
    private final int port;
    private Map<String, Integer> namedPorts;

    /**
     * How long a server may take to announce its port ({@code -Datlas.servers.start=S}, default 90 s; Spring
     * Boot with the agent has taken longer than 90 s on this machine at a load average near 30).
     */
    private static final Duration START = Duration.ofSeconds(Long.getLong("atlas.servers.start", 90));

    private ServerProcess(List<String> command) throws IOException, InterruptedException {
        process = new ProcessBuilder(command).start();
        Thread.ofPlatform().daemon().name("server-stdout").start(() -> pump(process.inputReader(), true));
        Thread.ofPlatform().daemon().name("server-stderr").start(() -> pump(process.errorReader(), false));
        String first = awaitLine("PORT ", START);
        port = Integer.parseInt(first.substring(5).trim());
    }

    /**
     * Starts {@code mainClass} from build {@code appClasses} with the servers' jars.
     *
     * @param jvmFlags extra JVM flags, e.g. {@code -javaagent:...}
     */
    static ServerProcess start(Path appClasses, String mainClass, List<String> jvmFlags)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp",
                appClasses + java.io.File.pathSeparator + ItEnvironment.appClasspath(), mainClass));
        return new ServerProcess(cmd);
    }

    private void pump(BufferedReader r, boolean out) {
        try (r) {
            for (String line; (line = r.readLine()) != null; ) {
                if (out) {
                    lines.add(line);
                } else {
                    if (stderr.length() > 200_000) {
                        stderr.delete(0, 100_000);
                    }
                    stderr.append(line).append('\n');
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    /**
     * The ports of a process that runs several servers, from its line {@code PORTS name=n name=n ...}
     * (printed after {@code PORT n}); read once.
     */
    synchronized Map<String, Integer> namedPorts() throws InterruptedException {
        if (namedPorts == null) {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (String kv : awaitLine("PORTS ", Duration.ofSeconds(30)).substring(6).trim().split(" +")) {
                int eq = kv.indexOf('=');
                m.put(kv.substring(0, eq), Integer.parseInt(kv.substring(eq + 1)));
            }
            namedPorts = Map.copyOf(m);
        }
        return namedPorts;
    }

    /** The next stdout line starting with {@code prefix} (earlier lines are dropped). */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            String l = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null) {
                throw new AssertionError("the server printed no line starting with '" + prefix + "' within "
                        + timeout + " (alive: " + process.isAlive() + "); its stderr:\n" + stderr);
            }
            if (l.startsWith(prefix)) {
                return l;
            }
        }
    }

    String stderr() {
        return stderr.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
