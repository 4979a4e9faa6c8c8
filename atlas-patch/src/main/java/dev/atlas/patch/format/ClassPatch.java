package dev.atlas.patch.format;

import java.util.List;

/** TEMPORARY stand-in until the builder branch lands; see docs/design/patch-contract.md. */
public record ClassPatch(String className, String expectedFingerprint, String newFingerprint, List<MethodChange> methods, List<FieldAddition> addedFields, byte[] bodyClass, String transferHook) {}
