/**
 * Bytecode helpers on the JDK's ClassFile API: {@link dev.atlas.patch.classfile.ClassFingerprint}
 * (the layout-independent identity of a class that a patch expects),
 * {@link dev.atlas.patch.classfile.CanonicalCode} (code as comparable lines),
 * {@link dev.atlas.patch.classfile.StackDepth} and {@link dev.atlas.patch.classfile.Remap};
 * and one that works on the raw bytes instead, {@link dev.atlas.patch.classfile.IndyRedirect}
 * (re-points a class's call sites without touching its code, for the serving JVM).
 */
package dev.atlas.patch.classfile;
