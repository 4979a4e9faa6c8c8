package dev.atlas.patch.agent.install;

import dev.atlas.patch.runtime.LoaderScope;
import dev.atlas.patch.runtime.PatchApplication;
import dev.atlas.patch.runtime.PatchPipeline;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's {@link AppliedPatchesMXBean}: reads the code views' applied patches at each
 * call, and rolls back one loader's patches through the {@link PatchPipeline} (as
 * {@code atlas patch rollback --class-loader} does).
 * Registered once, by {@link #run()} when the agent is installed, before any patch can be
 * applied (registered later, on another thread, a host status right after the first patch
 * could miss it: {@code ProgramPatchEndToEndIT} saw that once).
 *
 * <p>Threading: shared; stateless apart from the code views it reads.
 */
final class AppliedPatchesBean implements AppliedPatchesMXBean, Runnable {
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    private final PatchPipeline pipeline;

    AppliedPatchesBean(PatchPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public List<String> rollBackLoader(String classLoader) {
        LoaderScope scope = LoaderScope.named(classLoader);
        List<String> out = new ArrayList<>();
        while (pipeline.views().applied().stream().anyMatch(a -> scope.equals(a.scope()))) {
            try {
                out.add(pipeline.rollback(scope).appliedId());
            } catch (IllegalStateException refused) {
                out.add("refused: " + refused.getMessage());
                break;
            }
        }
        if (out.isEmpty() || !out.getLast().startsWith("refused: ")) {
            pipeline.views().forgetLoader(scope);
        }
        if (!out.isEmpty()) {
            LOG.log(Level.INFO, () -> "class loader '" + classLoader + "' released: " + String.join(", ", out));
        }
        return out;
    }

    @Override
    public List<AppliedPatch> getApplied() {
        List<AppliedPatch> out = new ArrayList<>();
        for (PatchApplication a : pipeline.views().applied()) {
            out.add(new AppliedPatch(a.patchId(), a.scope().name() == null ? "" : a.scope().name(), a.target().id()));
        }
        return out;
    }

    /** Registers this bean under {@value AppliedPatchesMXBean#OBJECT_NAME}; a failure is logged, nothing else. */
    @Override
    public void run() {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(this, new ObjectName(OBJECT_NAME));
        } catch (JMException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "could not register " + OBJECT_NAME + ": " + e);
        }
    }
}
