package dev.atlas.patch.agent.install;

import dev.atlas.patch.runtime.CodeViews;
import dev.atlas.patch.runtime.PatchApplication;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's {@link AppliedPatchesMXBean}: reads {@link CodeViews#applied()} at each call.
 * Registered once, by {@link #run()} when the agent is installed, before any patch can be
 * applied (registered later, on another thread, a host status right after the first patch
 * could miss it: {@code ProgramPatchEndToEndIT} saw that once).
 *
 * <p>Threading: shared; stateless apart from the code views it reads.
 */
final class AppliedPatchesBean implements AppliedPatchesMXBean, Runnable {
    private static final System.Logger LOG = System.getLogger("dev.atlas.patch");

    private final CodeViews views;

    AppliedPatchesBean(CodeViews views) {
        this.views = views;
    }

    @Override
    public List<AppliedPatch> getApplied() {
        List<AppliedPatch> out = new ArrayList<>();
        for (PatchApplication a : views.applied()) {
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
