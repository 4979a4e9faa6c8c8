package dev.atlas.ulp;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Rolls back the live patches of a program that has ended: a patch applied to one program
 * ({@code atlas patch apply --program ID}) holds its new code, classes defined in that
 * program's loader, in its code table; rolled back, nothing of the agent keeps the loader.
 * The host calls {@link #rollBack} as each program ends; it asks the Atlas agent through its
 * MBean ({@value #OBJECT_NAME}, operation {@code rollBackLoader}), so the host does not depend
 * on the agent, which is loaded only when {@code atlas patch apply} attaches it.
 *
 * <p>Thread safety: stateless.
 *
 * <p>Implementation notes: only MBean servers that already exist are asked
 * ({@link MBeanServerFactory#findMBeanServer}: the platform server once the agent registered
 * its bean), so a host without the agent pays a list lookup per program end and creates none.
 */
final class EndedProgramPatches {
    /** The agent's bean (see {@code AppliedPatchesMXBean} in atlas-patch-agent). */
    static final String OBJECT_NAME = "dev.atlas.patch:type=AppliedPatches";
    private static final ObjectName NAME = objectName();
    private static final System.Logger LOG = System.getLogger("dev.atlas.ulp");

    private EndedProgramPatches() {
    }

    /**
     * Rolls back the patches applied to the loader {@code loaderName} of an ended program;
     * returns what the agent did (see {@code rollBackLoader}), empty without an agent. A
     * failure is logged, not thrown: the program has ended either way.
     */
    static List<String> rollBack(String loaderName) {
        try {
            for (MBeanServer server : MBeanServerFactory.findMBeanServer(null)) {
                if (server.isRegistered(NAME)) {
                    Object done = server.invoke(NAME, "rollBackLoader", new Object[] {loaderName},
                            new String[] {String.class.getName()});
                    List<String> out = done instanceof String[] a ? List.of(a) : List.of();
                    if (!out.isEmpty()) {
                        LOG.log(Level.INFO, () -> loaderName + " ended: its patches rolled back: " + String.join(", ", out));
                    }
                    return out;
                }
            }
        } catch (JMException | RuntimeException e) {
            LOG.log(Level.WARNING, () -> "could not roll back the patches of " + loaderName + ": " + e);
        }
        return List.of();
    }

    private static ObjectName objectName() {
        try {
            return new ObjectName(OBJECT_NAME);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
