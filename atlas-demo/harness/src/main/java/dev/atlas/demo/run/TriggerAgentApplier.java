package dev.atlas.demo.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies the patch inside the service through the demo's patch-trigger agent
 * ({@code atlas-demo/patch-trigger}, loaded with {@code -javaagent} after the Atlas agent),
 * which calls the agent's {@code PatchPipeline.apply} and waits for the migration. Needs no CLI, so it also
 * runs in this module's tests. Not thread-safe; one instance per run (it keeps the port).
 */
public final class TriggerAgentApplier implements PatchApplier {
    private int port;

    @Override
    public String description() {
        return "applied by the demo's patch-trigger agent (the agent's PatchPipeline.apply inside the service)";
    }

    @Override
    public List<String> serviceJvmOptions(DemoArtifacts artifacts, Ports ports) throws IOException {
        port = ports.free();
        return List.of("-javaagent:" + artifacts.patchTrigger() + "=port=" + port);
    }

    @Override
    public Applied apply(ServiceProcess service, Path patch) throws IOException {
        if (port == 0) {
            throw new IllegalStateException("serviceJvmOptions was not called: the service runs without the patch trigger");
        }
        String answer = ControlLine.send(port, "apply " + patch.toAbsolutePath(), Duration.ofSeconds(90));
        if (!answer.startsWith("ok")) {
            return new Applied(false, null, null, List.of("apply refused: " + answer.replaceFirst("^refused ", "")));
        }
        Map<String, String> f = ControlLine.fields(answer);
        List<String> notes = new ArrayList<>();
        notes.add("runtime: " + f.get("replaced") + " method(s) replaced, " + f.get("added") + " added, " + f.get("fields")
                + " new field(s), " + f.get("classes") + " class(es) added; code prepared beside the running threads in "
                + nanos(f, "prepare_nanos").toMillis() + " ms");
        notes.add(f.get("threads") + " thread(s) migrated, each at its own quiescence point (end of its request);"
                + " the longest wait of one thread: "
                + String.format(Locale.ROOT, "%.2f ms", nanos(f, "max_delay_nanos").toNanos() / 1e6));
        return new Applied(true, nanos(f, "start_nanos"), nanos(f, "migrated_nanos"), notes);
    }

    private static Duration nanos(Map<String, String> fields, String key) {
        String v = fields.get(key);
        return v == null ? Duration.ZERO : Duration.ofNanos(Long.parseLong(v));
    }
}
