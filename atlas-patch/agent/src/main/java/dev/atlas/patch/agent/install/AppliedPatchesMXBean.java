package dev.atlas.patch.agent.install;

import java.util.List;

/**
 * The patches applied in this JVM, as the agent publishes them on the platform MBean server
 * under {@value #OBJECT_NAME} (JConsole, or another part of the process, such as an
 * atlas-ulp host listing its programs, reads them without depending on the agent's classes).
 * Read through JMX, attribute {@code Applied} is an array of {@code CompositeData} with the
 * items {@code patchId}, {@code classLoader} and {@code view}.
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=applied-patches}
 *
 * <p>Threading: shared; each read is a snapshot taken under the code views' lock.
 */
public interface AppliedPatchesMXBean {
    /** The name the agent registers it under. */
    String OBJECT_NAME = "dev.atlas.patch:type=AppliedPatches";

    /** The applied patches, newest first. */
    List<AppliedPatch> getApplied();

    /**
     * One applied patch.
     *
     * @param patchId     the patch's id
     * @param classLoader the name of the one class loader whose classes it changes (an atlas-ulp
     *                    program's is {@code program-<id>}), or "" for every loader
     * @param view        the id of the view that runs it
     */
    record AppliedPatch(String patchId, String classLoader, long view) {}
}
