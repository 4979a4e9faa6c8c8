/**
 * The patch builder: {@link dev.atlas.patch.build.PatchBuilder} diffs two builds into a
 * patch or a list of {@link dev.atlas.patch.build.Refusal}s, and
 * {@link dev.atlas.patch.build.PatchDescription} renders a patch for {@code atlas patch inspect}.
 */
package dev.atlas.patch.build;
