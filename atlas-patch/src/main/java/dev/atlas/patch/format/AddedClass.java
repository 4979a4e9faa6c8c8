package dev.atlas.patch.format;


/** TEMPORARY stand-in until the builder branch lands; see docs/design/patch-contract.md. */
public record AddedClass(String className, String hostClassName, byte[] bytes) {}
