/**
 * The patch file format: the immutable model ({@link dev.atlas.patch.format.Patch},
 * {@link dev.atlas.patch.format.ClassPatch}, {@link dev.atlas.patch.format.MethodChange},
 * {@link dev.atlas.patch.format.FieldAddition}, {@link dev.atlas.patch.format.AddedClass}),
 * reading and writing ({@link dev.atlas.patch.format.PatchFile}), ids
 * ({@link dev.atlas.patch.format.PatchIds}) and signatures
 * ({@link dev.atlas.patch.format.PatchSigner}, {@link dev.atlas.patch.format.PatchVerifier}).
 * The contract with the runtime is {@code docs/design/patch-contract.md}.
 */
package dev.atlas.patch.format;
