package dev.atlas.cli.patch.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The test application running in a child JVM (the same java as the test), with its
 * standard output read line by line and its standard error kept for failure messages.
 */
final class AppProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();
    private final int port;

    private AppProcess(List<String> command) throws IOException, InterruptedException {
        process = new ProcessBuilder(command).start();
        Thread.ofPlatform().daemon().name("app-stdout").start(() -> pump(process.inputReader(), lines, null));
        Thread.ofPlatform().daemon().name("app-stderr").start(() -> pump(
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), null, stderr));
        String first = awaitLine("PORT ", Duration.ofSeconds(30));
        port = Integer.parseInt(first.substring(5).trim());
    }

    /**
     * Starts {@code acme.shop.Server} from {@code classes}.
     *
     * @param jvmFlags extra JVM flags, e.g. {@code -javaagent:...}
     */
    static AppProcess start(Path classes, String... jvmFlags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-Xshare:auto", "-cp", classes.toString(), "acme.shop.Server"));
        return new AppProcess(cmd);
    }

    private static void pump(BufferedReader r, BlockingQueue<String> to, StringBuffer buffer) {
        try (r) {
            for (String line; (line = r.readLine()) != null; ) {
                if (to != null) {
                    to.add(line);
                } else {
                    buffer.append(line).append('\n');
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
     * Sends {@code GET <pathAndQuery>} to the application and, once it printed the line
     * {@code <marker> <thread>} (e.g. {@code HOLDING}: {@link ShopApp}), returns the request's
     * response to come and the name of the worker thread serving it.
     */
    InFlight request(HttpClient client, String pathAndQuery, String marker) throws InterruptedException {
        CompletableFuture<HttpResponse<String>> response = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        String worker = awaitLine(marker + " ", Duration.ofSeconds(30)).substring(marker.length() + 1);
        return new InFlight(response, worker);
    }

    /** A request the application is serving: its response to come, and the worker thread serving it. */
    record InFlight(CompletableFuture<HttpResponse<String>> response, String worker) {}

    /** The next stdout line starting with {@code prefix} (earlier lines are dropped). */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            String l = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null) {
                throw new AssertionError("the application printed no line starting with '" + prefix + "' within "
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

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, as a crash or the OOM killer would end it; returns once it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
