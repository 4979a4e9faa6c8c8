package dev.atlas.demo.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * HotSpot's {@code Instrumentation.redefineClasses}, through the demo's own small agent
 * ({@code atlas-demo-hotswap-agent}, loaded with {@code -javaagent}). At T it first asks for
 * the whole v2 change, which the JVM refuses (v2 adds a field, a method and a lambda to
 * {@code OrderBook}); then it redefines what HotSwap can express, the method bodies of the
 * other changed classes (the bug fix and the version tags: build {@code service-v2-hotswap}).
 * The redefinition runs in a global safepoint; threads inside a changed method finish it in
 * the old code, so a request in flight can mix v1 and v2.
 *
 * <p>Not thread-safe; one instance serves one run (it keeps the agent's port).
 */
public final class HotSwapMode implements PatchMode {
    private int agentPort;

    @Override
    public String name() {
        return "hotswap";
    }

    @Override
    public String description() {
        return "HotSpot Instrumentation.redefineClasses (method bodies only)";
    }

    @Override
    public Optional<String> unavailable(DemoArtifacts artifacts) {
        return DemoArtifacts.missingJar("the HotSwap agent jar", artifacts.hotSwapAgent())
                .or(() -> DemoArtifacts.missingBuild("service build v2 (HotSwap part)", artifacts.serviceV2HotSwap()));
    }

    @Override
    public List<String> serviceJvmOptions(DemoArtifacts artifacts, Ports ports) throws IOException {
        agentPort = ports.free();
        return List.of("-javaagent:" + artifacts.hotSwapAgent() + "=port=" + agentPort);
    }

    @Override
    public ChangeOutcome applyChange(ServiceControl service) throws IOException {
        if (agentPort == 0) {
            throw new IllegalStateException("serviceJvmOptions was not called: the service runs without the HotSwap agent");
        }
        DemoArtifacts a = service.artifacts();
        long start = System.nanoTime();
        String whole = redefine(a.serviceV1(), a.serviceV2());
        List<String> notes = new ArrayList<>();
        if (whole.startsWith("ok")) {
            return outcome("v2, whole change", start, whole, notes);
        }
        notes.add("v2 as built refused by redefineClasses: " + whole.replaceFirst("^refused ", ""));
        String bodies = redefine(a.serviceV1(), a.serviceV2HotSwap());
        if (!bodies.startsWith("ok")) {
            notes.add("the bodies-only part refused too: " + bodies);
            return new ChangeOutcome("nothing", null, null, null, notes);
        }
        notes.add("applied instead: the bodies-only part of v2 (bug fix and tags); OrderBook's new state is not in effect");
        return outcome("v2 without OrderBook's new field/method/lambda", start, bodies, notes);
    }

    private static ChangeOutcome outcome(String applied, long start, String okLine, List<String> notes) {
        Duration inEffect = Duration.ofNanos(System.nanoTime() - start);
        Map<String, String> fields = ControlLine.fields(okLine);
        Duration pause = fields.containsKey("nanos") ? Duration.ofNanos(Long.parseLong(fields.get("nanos"))) : null;
        if (fields.containsKey("classes")) {
            notes.add("redefined " + fields.get("classes").replace(",", ", "));
        }
        notes.add("threads inside a changed method finish it in v1 code: requests in flight can mix versions");
        return new ChangeOutcome(applied, inEffect, null, pause, notes);
    }

    private String redefine(Path oldBuild, Path newBuild) throws IOException {
        return ControlLine.send(agentPort, "redefine " + oldBuild.toAbsolutePath() + "\t" + newBuild.toAbsolutePath(),
                Duration.ofSeconds(60));
    }
}
