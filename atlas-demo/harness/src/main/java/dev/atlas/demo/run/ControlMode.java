package dev.atlas.demo.run;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The control run: the Atlas mode's service, set-up and warm-up (the agent loaded, the patch
 * built, the operator's {@code status} and {@code patch inspect} during the warm-up), and at T
 * nothing at all. Its change window shows how far the tail moves on its own on this machine,
 * in the same demo run: the baseline for reading the other modes' change windows.
 *
 * {@snippet class=dev.atlas.demo.snippets.HarnessSnippets region=control-mode}
 *
 * <p>Not thread-safe; one instance serves one run (its {@link AtlasMode} keeps the patch).
 */
public final class ControlMode implements PatchMode {
    private final AtlasMode setUp;

    /** @param setUp the Atlas mode whose service and warm-up the control copies (its patch is never applied) */
    public ControlMode(AtlasMode setUp) {
        this.setUp = setUp;
    }

    @Override
    public String name() {
        return ComparisonTable.CONTROL;
    }

    @Override
    public String description() {
        return "control run: the Atlas mode's service and warm-up, nothing applied at T";
    }

    @Override
    public Optional<String> unavailable(DemoArtifacts artifacts) {
        return setUp.unavailable(artifacts);
    }

    @Override
    public List<String> serviceJvmOptions(DemoArtifacts artifacts, Ports ports) throws IOException {
        return setUp.serviceJvmOptions(artifacts, ports);
    }

    @Override
    public void beforeChange(ServiceControl service) throws IOException, InterruptedException {
        setUp.beforeChange(service);
    }

    @Override
    public ChangeOutcome applyChange(ServiceControl service) {
        List<String> notes = new ArrayList<>();
        notes.add("nothing applied at T: the service stays v1 ('bug fixed: no' and 'new state: no' are expected);"
                + " its change window is the same scenario's tail without a change");
        return new ChangeOutcome("nothing (control)", null, null, null, notes);
    }
}
