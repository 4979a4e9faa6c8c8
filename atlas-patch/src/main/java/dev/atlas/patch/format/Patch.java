package dev.atlas.patch.format;

import java.util.List;

/** TEMPORARY stand-in until the builder branch lands; see docs/design/patch-contract.md. */
public record Patch(int formatVersion, String id, String description, List<ClassPatch> classes, List<AddedClass> addedClasses) {}
