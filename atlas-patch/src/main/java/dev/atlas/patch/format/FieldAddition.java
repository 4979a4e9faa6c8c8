package dev.atlas.patch.format;


/** TEMPORARY stand-in until the builder branch lands; see docs/design/patch-contract.md. */
public record FieldAddition(String name, String descriptor, boolean isStatic, String initializerMethod) {}
