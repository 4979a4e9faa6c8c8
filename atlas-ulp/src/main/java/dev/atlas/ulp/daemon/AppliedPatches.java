package dev.atlas.ulp.daemon;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live patches applied in this host JVM, by class loader, as the Atlas agent publishes
 * them (MBean {@value #OBJECT_NAME}, see {@code AppliedPatchesMXBean} in atlas-patch-agent):
 * what {@code atlas host status} shows per program. Read through JMX, so the host does not
 * depend on the agent, which is loaded only when {@code atlas patch apply} attaches it.
 *
 * <p>Implementation notes: only MBean servers that already exist are asked
 * ({@link MBeanServerFactory#findMBeanServer}: the platform server once the agent registered
 * its bean); a host without the agent never creates one for a status.
 *
 * @param byLoader patch ids (newest first) by class loader name ({@code program-<id>}); ""
 *                 for patches of every loader
 */
public record AppliedPatches(Map<String, List<String>> byLoader) {
    /** The agent's bean. */
    public static final String OBJECT_NAME = "dev.atlas.patch:type=AppliedPatches";

    public AppliedPatches {
        byLoader = Map.copyOf(byLoader);
    }

    /** What the agent in this JVM says now; none if there is no agent (or it did not register its bean). */
    public static AppliedPatches inThisJvm() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try {
            ObjectName name = new ObjectName(OBJECT_NAME);
            for (MBeanServer server : MBeanServerFactory.findMBeanServer(null)) {
                if (!server.isRegistered(name)) {
                    continue;
                }
                for (CompositeData d : (CompositeData[]) server.getAttribute(name, "Applied")) {
                    out.computeIfAbsent((String) d.get("classLoader"), k -> new ArrayList<>()).add((String) d.get("patchId"));
                }
                break;
            }
        } catch (JMException | ClassCastException e) {
            return new AppliedPatches(Map.of("", List.of("(unreadable: " + e + ")")));
        }
        return new AppliedPatches(out);
    }

    /** The patches applied to program {@code id}'s class loader, newest first, comma-separated, or "-". */
    public String ofProgram(long id) {
        List<String> l = byLoader.get("program-" + id);
        return l == null ? "-" : String.join(",", l);
    }

    /** The patches applied to every class loader ("" when none): they change every program that has their classes. */
    public String ofEveryLoader() {
        List<String> l = byLoader.get("");
        return l == null ? "" : String.join(",", l);
    }
}
