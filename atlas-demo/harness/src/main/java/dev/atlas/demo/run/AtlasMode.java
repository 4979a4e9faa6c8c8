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
import java.util.ArrayList;
import java.util.List;
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
 * <p>The patch goes in through a {@link PatchApplier}: {@code atlas demo}'s
 * {@code InProcessCliApplier} runs {@code atlas patch apply <pid> <patch>} as an operator would; {@link TriggerAgentApplier}
 * (the default, which needs no CLI) calls the same pipeline ({@code PatchPipeline.apply}) inside
 * the service through the demo's patch-trigger agent.
 *
 * <p>Not thread-safe; one instance serves one run (it keeps the patch).
 */
public final class AtlasMode implements PatchMode {
    /** The service's application classes: what the agent makes patchable and the builder diffs. */
    static final String APPLICATION_CLASSES = "dev.atlas.demo.service.**";

    private final PatchApplier applier;
    private Path patchFile;
    private Patch patch;
    private List<String> buildNotes = List.of();

    /** Applies the patch with the demo's patch-trigger agent ({@link TriggerAgentApplier}). */
    public AtlasMode() {
        this(new TriggerAgentApplier());
    }

    public AtlasMode(PatchApplier applier) {
        this.applier = applier;
    }

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
                .or(() -> applier instanceof TriggerAgentApplier
                        ? DemoArtifacts.missingJar("the demo's patch-trigger agent jar", artifacts.patchTrigger())
                        : Optional.empty());
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
        List<String> options = new ArrayList<>();
        options.add("-javaagent:" + artifacts.atlasAgent() + "=include=" + APPLICATION_CLASSES);
        // lets the agent lower the JIT's priority while the patch goes in (JitPriorityWindow), without a warning
        options.add("--enable-native-access=ALL-UNNAMED");
        options.addAll(applier.serviceJvmOptions(artifacts, ports));
        return options;
    }

    @Override
    public void beforeChange(ServiceControl service) throws IOException, InterruptedException {
        if (patchFile == null) {
            throw new IllegalStateException("serviceJvmOptions was not called: there is no patch and no Atlas agent");
        }
        applier.beforeChange(service.current(), patchFile);
    }

    @Override
    public ChangeOutcome applyChange(ServiceControl service) throws IOException, InterruptedException {
        if (patchFile == null) {
            throw new IllegalStateException("serviceJvmOptions was not called: there is no patch and no Atlas agent");
        }
        PatchApplier.Applied applied = applier.apply(service.current(), patchFile);
        List<String> notes = new ArrayList<>();
        notes.add("patch " + patch.id() + " built from the two builds by PatchBuilder (" + patch.classes().size()
                + " changed class(es), " + patch.addedClasses().size() + " added)");
        buildNotes.forEach(n -> notes.add("builder: " + n));
        notes.addAll(applied.notes());
        notes.add(applier.description());
        if (!applied.applied()) {
            return new ChangeOutcome("nothing", null, null, null, notes);
        }
        notes.add("no stop-the-world step of Atlas's own; switching the dispatch may deoptimise compiled callers"
                + " (a JVM handshake, not measured here)");
        return new ChangeOutcome("v2, whole change (new field, method, lambda)", applied.inEffect(), applied.allMigrated(),
                null, notes);
    }
}
