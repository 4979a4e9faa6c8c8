package dev.atlas.demo.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The builds the demo runs. Each service build is a jar or a classes directory (anything
 * {@code java -cp} takes); the agent must be a jar.
 *
 * @param serviceV1      the service, build v1 (with the bug)
 * @param serviceV2      build v2 (bug fixed, new state)
 * @param serviceV2HotSwap the part of v2 that {@code redefineClasses} can express (v2 without
 *                       the OrderBook change)
 * @param hotSwapAgent   the HotSwap agent jar
 * @param atlasAgent     the Atlas agent jar ({@code atlas-patch/agent/target/atlas-agent.jar})
 * @param patchTrigger   the demo's patch-trigger agent jar (applies the Atlas patch inside the
 *                       service until {@code atlas patch apply <pid>} exists)
 */
public record DemoArtifacts(Path serviceV1, Path serviceV2, Path serviceV2HotSwap, Path hotSwapAgent, Path atlasAgent,
                            Path patchTrigger) {

    /** The jars built by Maven in a checkout of the project at {@code root} ({@code ./atlas build}). */
    public static DemoArtifacts inRepository(Path root) {
        Path demo = root.resolve("atlas-demo");
        return new DemoArtifacts(
                demo.resolve("service-v1/target/atlas-demo-service-v1.jar"),
                demo.resolve("service-v2/target/atlas-demo-service-v2.jar"),
                demo.resolve("service-v2-hotswap/target/atlas-demo-service-v2-hotswap.jar"),
                demo.resolve("hotswap-agent/target/atlas-demo-hotswap-agent.jar"),
                root.resolve("atlas-patch/agent/target/atlas-agent.jar"),
                demo.resolve("patch-trigger/target/atlas-demo-patch-trigger.jar"));
    }

    /**
     * What every mode needs and is missing (the v1 and v2 builds), one line each, naming the
     * path and how to produce it; empty if nothing. Modes check their own extras
     * ({@link PatchMode#unavailable}).
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        missingBuild("service build v1", serviceV1).ifPresent(problems::add);
        missingBuild("service build v2", serviceV2).ifPresent(problems::add);
        return problems;
    }

    /** "what jar not found at path (build it: ...)" if {@code jar} is not a file. */
    static Optional<String> missingJar(String what, Path jar) {
        return Files.isRegularFile(jar) ? Optional.empty()
                : Optional.of(what + " not found at " + jar + " (build it: ./atlas build)");
    }

    /** "what not found at path (build it: ...)" if {@code build} is neither a file nor a directory. */
    static Optional<String> missingBuild(String what, Path build) {
        if (Files.isRegularFile(build) || Files.isDirectory(build)) {
            return Optional.empty();
        }
        return Optional.of(what + " not found at " + build + " (build it: ./atlas build)");
    }
}
