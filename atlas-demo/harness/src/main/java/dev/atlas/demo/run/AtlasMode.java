package dev.atlas.demo.run;

import dev.atlas.patch.build.BuildOptions;
import dev.atlas.patch.build.BuildResult;
import dev.atlas.patch.build.PatchBuilder;
import dev.atlas.patch.build.Refusal;
import dev.atlas.patch.format.Patch;
import dev.atlas.patch.format.PatchFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Atlas wait-free live patching. Before the run, {@link PatchBuilder} diffs the v1 and v2
 * builds into a patch (what {@code atlas patch build} does); the service runs with the
 * Atlas agent ({@code -javaagent:atlas-agent.jar}, the service's classes made patchable,
 * request boundaries at {@code HttpHandler.handle}); at T the patch is applied inside the
 * service: its code is prepared beside the running threads, published as a new code view,
 * and every worker migrates into it at its own quiescence point (when its current request
 * ends), so no thread waits for another and no request mixes versions.
 *
 * <p>Until {@code atlas patch apply <pid> <patch>} exists, the patch is applied by the
 * demo's patch-trigger agent (module {@code atlas-demo/patch-trigger}), which calls the same
 * runtime ({@code CodeViews.apply}) in the service when asked on a loopback port.
 *
 * <p>Not thread-safe; one instance serves one run (it keeps the patch and the port).
 */
public final class AtlasMode implements PatchMode {
    /** The service's application classes: what the agent makes patchable and the builder diffs. */
    static final String APPLICATION_CLASSES = "dev.atlas.demo.service.**";

    private Path patchFile;
    private Patch patch;
    private List<String> buildNotes = List.of();
    private int triggerPort;

    @Override
    public String name() {
        return "atlas";
    }

    @Override
    public String description() {
        return "Atlas wait-free live patch (each thread moves at its own quiescence point)";
    }

    @Override
    public Optional<String> unavailable(DemoArtifacts artifacts) {
        return DemoArtifacts.missingJar("the Atlas agent jar", artifacts.atlasAgent())
                .or(() -> DemoArtifacts.missingJar("the demo's patch-trigger agent jar", artifacts.patchTrigger()));
    }

    /** Builds the patch (refused: an {@link IOException} naming every refusal), then the JVM options. */
    @Override
    public List<String> serviceJvmOptions(DemoArtifacts artifacts, Ports ports) throws IOException {
        BuildResult result = PatchBuilder.diff(artifacts.serviceV1(), artifacts.serviceV2(), BuildOptions.defaults()
                .withIncludes(List.of(APPLICATION_CLASSES)).withDescription("atlas demo: service v1 -> v2"));
        if (result.isRefused()) {
            throw new IOException("the patch builder refused v1 -> v2: "
                    + String.join("; ", result.refusals().stream().map(Refusal::toString).toList()));
        }
        patch = result.patchOrThrow();
        buildNotes = result.notes();
        patchFile = Files.createTempFile("atlas-demo-", ".atlaspatch");
        patchFile.toFile().deleteOnExit();
        PatchFile.write(patch, patchFile);
        triggerPort = ports.free();
        return List.of("-javaagent:" + artifacts.atlasAgent() + "=include=" + APPLICATION_CLASSES,
                "-javaagent:" + artifacts.patchTrigger() + "=port=" + triggerPort);
    }

    @Override
    public ChangeOutcome applyChange(ServiceControl service) throws IOException {
        if (patchFile == null) {
            throw new IllegalStateException("serviceJvmOptions was not called: there is no patch and no Atlas agent");
        }
        String answer = ControlLine.send(triggerPort, "apply " + patchFile.toAbsolutePath(), Duration.ofSeconds(90));
        List<String> notes = new ArrayList<>();
        notes.add("patch " + patch.id() + " built from the two builds by PatchBuilder (" + patch.classes().size()
                + " changed class(es), " + patch.addedClasses().size() + " added)");
        buildNotes.forEach(n -> notes.add("builder: " + n));
        if (!answer.startsWith("ok")) {
            notes.add("apply refused: " + answer.replaceFirst("^refused ", ""));
            return new ChangeOutcome("nothing", null, null, null, notes);
        }
        Map<String, String> f = ControlLine.fields(answer);
        Duration started = nanos(f, "start_nanos");
        Duration migrated = nanos(f, "migrated_nanos");
        notes.add("runtime: " + f.get("replaced") + " method(s) replaced, " + f.get("added") + " added, " + f.get("fields")
                + " new field(s), " + f.get("classes") + " class(es) added; code prepared beside the running threads in "
                + nanos(f, "prepare_nanos").toMillis() + " ms");
        notes.add(f.get("threads") + " thread(s) migrated, each at its own quiescence point (end of its request);"
                + " the longest wait of one thread: " + String.format(java.util.Locale.ROOT, "%.2f ms",
                nanos(f, "max_delay_nanos").toNanos() / 1e6));
        notes.add("no stop-the-world step of Atlas's own; switching the dispatch may deoptimise compiled callers"
                + " (a JVM handshake, not measured here)");
        notes.add("applied by the demo's patch-trigger agent (CodeViews.apply in the service) until 'atlas patch apply"
                + " <pid>' exists");
        return new ChangeOutcome("v2, whole change (new field, method, lambda)", started, migrated, null, notes);
    }

    private static Duration nanos(Map<String, String> fields, String key) {
        String v = fields.get(key);
        return v == null ? Duration.ZERO : Duration.ofNanos(Long.parseLong(v));
    }
}
