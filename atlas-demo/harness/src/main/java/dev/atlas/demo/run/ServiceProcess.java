package dev.atlas.demo.run;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo service running in a child JVM on {@code 127.0.0.1:<port>}; its output goes to a
 * log file. Not thread-safe (the orchestrator drives it from one thread).
 */
public final class ServiceProcess implements AutoCloseable {
    /** The service's main class (in every build). */
    public static final String MAIN_CLASS = "dev.atlas.demo.service.DemoService";

    /**
     * A response to a control request.
     *
     * @param status HTTP status
     * @param body   response body
     * @param tag    the version header, or null
     */
    public record Answer(int status, String body, String tag) {
    }

    private final Process process;
    private final Path build;
    private final int port;
    private final Path log;
    private final HttpClient client;

    private ServiceProcess(Process process, Path build, int port, Path log) {
        this.process = process;
        this.build = build;
        this.port = port;
        this.log = log;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /**
     * Starts {@code build} and waits until {@code GET /health} answers 200.
     *
     * @throws IOException if the process exits or is not ready within {@code readyTimeout};
     *                     the message quotes the end of its log
     */
    public static ServiceProcess start(Path build, List<String> jvmOptions, int port, ServiceSettings settings, Path log,
                                       Duration readyTimeout) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(settings.jvmOptions());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", build.toString(), MAIN_CLASS, "--port", Integer.toString(port)));
        command.addAll(settings.serviceArguments());
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ServiceProcess service = new ServiceProcess(process, build, port, log);
        service.awaitReady(readyTimeout);
        return service;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the service (" + build.getFileName() + ") exited with code " + process.exitValue()
                        + " before it was ready; its log " + log + " ends with:\n" + tail());
            }
            if (healthy()) {
                return;
            }
            Thread.sleep(10);
        }
        close();
        throw new IOException("the service (" + build.getFileName() + ") was not ready after " + timeout.toMillis()
                + " ms; its log " + log + " ends with:\n" + tail());
    }

    /** True if {@code GET /health} answers 200 now. */
    public boolean healthy() {
        try {
            return get("/health").status() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code GET path} on the service, with a 2 s timeout. */
    public Answer get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).GET().build();
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Answer(r.statusCode(), r.body(), r.headers().firstValue("X-Atlas-Version").orElse(null));
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /** The build this process runs. */
    public Path build() {
        return build;
    }

    public Path log() {
        return log;
    }

    /** Stops the service: SIGTERM (its shutdown hook closes the server), then kill after 5 s. Idempotent. */
    @Override
    public void close() throws InterruptedException {
        client.shutdownNow();
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
