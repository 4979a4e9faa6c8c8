package dev.atlas.patch.format;


/** TEMPORARY stand-in until the builder branch lands; see docs/design/patch-contract.md. */
public record MethodChange(Kind kind, String name, String descriptor, boolean isStatic, String bodyMethodName) { public enum Kind { REPLACED, ADDED } }
