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
     * Rolls back, newest first, every patch applied to the class loader named
     * {@code classLoader} alone: what a host of programs calls when the program of that loader
     * has ended, so that the patches' code (classes defined in that loader) no longer keeps
     * the loader and its classes in memory. Stops at the first rollback refused (a patch
     * applied after it changed the same methods; see {@code atlas patch rollback}). When all
     * were rolled back, the agent also drops what it kept of that loader's patched methods
     * (their invoke sites) and the bodies that patches applied to every loader gave them (a new
     * view without them; those patches stay applied to the other loaders), so that the loader
     * can be collected; call it only for a loader whose code will not run again.
     *
     * @return the applied ids rolled back ({@code <patch-id>@<loader>}), then, if one was
     *         refused, {@code "refused: "} and the reason; empty if none was applied to it
     * @throws IllegalArgumentException if {@code classLoader} is blank
     */
    List<String> rollBackLoader(String classLoader);

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
