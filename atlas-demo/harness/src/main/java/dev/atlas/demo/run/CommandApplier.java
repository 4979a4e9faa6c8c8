package dev.atlas.demo.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies the patch with the {@code atlas} command line, as an operator would:
 * {@code <command...> <pid> <patch> --timeout 30s --raw}, e.g. with the command
 * {@code [java, -jar, atlas-cli.jar, patch, apply]}. The command returns once every thread
 * moved (exit 0), or once its timeout ran out with the patch in effect (exit 3); anything
 * else is a refusal. Times are measured around the command, so they include its own JVM
 * start-up and the attach.
 *
 * <p>The service needs {@code -XX:+EnableDynamicAgentLoading}: the CLI reaches the agent by
 * loading it through the Attach API (see {@code docs/live-patching-cli.md}).
 */
public final class CommandApplier implements PatchApplier {
    private static final Pattern FIELD = Pattern.compile("([a-z][a-z-]*)[=:]\\s*(\\S+)");

    private final List<String> command;

    /** @param command the program and its arguments before {@code <pid> <patch>}, e.g. {@code [atlas, patch, apply]} */
    public CommandApplier(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the apply command is empty; expected e.g. [atlas, patch, apply]");
        }
        this.command = List.copyOf(command);
    }

    @Override
    public String description() {
        return "applied with '" + String.join(" ", command) + " <pid> <patch>' (times include the CLI's start-up and the attach)";
    }

    @Override
    public List<String> serviceJvmOptions(DemoArtifacts artifacts, Ports ports) {
        return List.of("-XX:+EnableDynamicAgentLoading");
    }

    @Override
    public Applied apply(ServiceProcess service, Path patch) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of(Long.toString(service.pid()), patch.toAbsolutePath().toString(), "--timeout", "30s", "--raw"));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("'" + String.join(" ", full) + "' did not finish within 90 s");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        List<String> notes = new ArrayList<>();
        int code = p.exitValue();
        if (code != 0 && code != 3) {
            notes.add("apply refused (exit code " + code + "): " + output.strip().replaceAll("\\s+", " "));
            return new Applied(false, null, null, notes);
        }
        String threads = field(output, "threads");
        String moved = field(output, "moved");
        String maxDelay = field(output, "max-delay-ms");
        notes.add((moved == null ? "?" : moved) + " of " + (threads == null ? "?" : threads)
                + " thread(s) moved, each at its own quiescence point; the longest wait of one thread: "
                + (maxDelay == null ? "?" : maxDelay + " ms"));
        if (code == 3) {
            notes.add("the command's timeout ran out before every thread moved (the patch is in effect): "
                    + output.strip().replaceAll("\\s+", " "));
            return new Applied(true, took, null, notes);
        }
        return new Applied(true, took, took, notes);
    }

    /** The value of {@code key=value} or {@code key: value} in the command's output, or null. */
    static String field(String output, String key) {
        Matcher m = FIELD.matcher(output);
        while (m.find()) {
            if (m.group(1).equals(key)) {
                return m.group(2);
            }
        }
        return null;
    }
}
