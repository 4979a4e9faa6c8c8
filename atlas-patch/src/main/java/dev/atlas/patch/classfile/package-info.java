/**
 * Bytecode helpers on the JDK's ClassFile API: {@link dev.atlas.patch.classfile.ClassFingerprint}
 * (the layout-independent identity of a class that a patch expects),
 * {@link dev.atlas.patch.classfile.CanonicalCode} (code as comparable lines),
 * {@link dev.atlas.patch.classfile.StackDepth} and {@link dev.atlas.patch.classfile.Remap}.
 */
package dev.atlas.patch.classfile;
