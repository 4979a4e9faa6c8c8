package dev.atlas.patch.instrument;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.MethodModel;
import java.lang.classfile.MethodTransform;

/**
 * Class files older than Java 7 (major version 51), as libraries built for Java 5 or 6 still
 * ship them (commons-beanutils 1.9, commons-fileupload 1.3, log4j-core 2.3, httpclient 4.5):
 * the guards the instrumentation adds are {@code invokedynamic} instructions, whose constants
 * ({@code CONSTANT_MethodHandle}, {@code CONSTANT_InvokeDynamic}) such a class file may not
 * contain ("Class file version does not support constant tag 15"). An instrumented class of
 * that kind is raised to version 51, and every method's code is written again, so that each
 * gets the stack map frames that version requires (a Java 5 class file has none, and a Java 6
 * one's were never checked by the type-checking verifier).
 *
 * <p>Code that cannot have stack map frames ({@code jsr}/{@code ret}, from compilers older
 * than Java 1.4.2's) makes {@link #raise} throw {@link IllegalArgumentException}: the
 * instrumentation's callers then leave the class as it was (not patchable).
 *
 * <p>Threading: stateless.
 */
final class LegacyClassVersion {
    /** The first class-file version with {@code invokedynamic}. */
    static final int INVOKEDYNAMIC = ClassFile.JAVA_7_VERSION;

    private LegacyClassVersion() {
    }

    /** Whether a class file of {@code model}'s version must be raised before it may hold a guard. */
    static boolean needsRaise(ClassModel model) {
        return model.majorVersion() < INVOKEDYNAMIC;
    }

    /**
     * {@code bytes} at version 51 with every method's code written again, its stack map frames
     * generated with {@code cf}'s options (its class hierarchy resolver).
     *
     * @throws IllegalArgumentException if some method's code cannot have stack map frames
     */
    static byte[] raise(ClassFile cf, byte[] bytes) {
        // always generated: with 'when required', code written unchanged keeps its old table, absent in a Java 5 class file
        ClassFile generating = cf.withOptions(ClassFile.StackMapsOption.GENERATE_STACK_MAPS);
        ClassModel model = generating.parse(bytes);
        return generating.transformClass(model, (ClassTransform) (cb, ce) -> {
            if (ce instanceof ClassFileVersion) {
                cb.withVersion(INVOKEDYNAMIC, 0);
            } else if (ce instanceof MethodModel m && m.code().isPresent()) {
                cb.transformMethod(m, MethodTransform.transformingCode(CodeTransform.ACCEPT_ALL));
            } else {
                cb.with(ce);
            }
        });
    }
}
