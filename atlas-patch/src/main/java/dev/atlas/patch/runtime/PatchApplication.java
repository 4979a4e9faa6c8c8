package dev.atlas.patch.runtime;

import dev.atlas.core.Migration;
import dev.atlas.core.View;

/**
 * What applying (or rolling back) a patch started: the view the threads are moving into,
 * the view they leave, and the migration that moves them, each at its own quiescence point.
 *
 * @param patchId         the patch applied, or rolled back
 * @param rollback        whether this moved threads back to the view before the patch
 * @param target          the view threads move into (the new default view)
 * @param previous        the view they leave
 * @param migration       the migration; {@code migration().await(timeout)} waits for it
 * @param replacedMethods methods whose bodies the patch replaces
 * @param addedMethods    methods the patch adds
 * @param shadowFields    fields the patch adds (stored as shadow fields)
 * @param addedClasses    classes the patch adds
 * @param prepareNanos    time to define, verify and link the new code (before any thread moved)
 */
public record PatchApplication(String patchId, boolean rollback, View target, View previous, Migration migration,
                               int replacedMethods, int addedMethods, int shadowFields, int addedClasses,
                               long prepareNanos) {}
