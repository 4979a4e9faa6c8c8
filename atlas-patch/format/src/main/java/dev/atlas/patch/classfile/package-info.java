/**
 * Bytecode helpers on the JDK's ClassFile API, shared by the patch builder and the agent:
 * {@link dev.atlas.patch.classfile.ClassFingerprint} (the layout-independent identity of a
 * class that a patch expects), {@link dev.atlas.patch.classfile.CanonicalCode} (code as
 * comparable lines); and one that works on the raw bytes instead,
 * {@link dev.atlas.patch.classfile.IndyRedirect} (re-points a class's call sites without
 * touching its code, for the serving JVM).
 */
package dev.atlas.patch.classfile;
