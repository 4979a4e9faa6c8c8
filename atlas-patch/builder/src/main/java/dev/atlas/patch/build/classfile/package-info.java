/**
 * Bytecode helpers of the patch builder only, on the JDK's ClassFile API:
 * {@link dev.atlas.patch.build.classfile.StackDepth} (operand stack depth before each
 * instruction) and {@link dev.atlas.patch.build.classfile.Remap} (renames classes in
 * descriptors and signatures).
 */
package dev.atlas.patch.build.classfile;
