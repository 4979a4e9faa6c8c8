package dev.atlas.patch.instrument;

import dev.atlas.patch.runtime.MethodRegistry;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Opcode;
import java.lang.classfile.constantpool.FieldRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * Rewrites, in a class being loaded, the reads of static fields that an applied patch gives a
 * value per view ({@code getstatic C.F} where the patch rebuilt {@code F} with the new
 * release's initialiser for its view), into {@code invokedynamic} sites linked by
 * {@link dev.atlas.patch.runtime.ViewStaticReads}: code outside the patch that is loaded after
 * the apply (the new release's tests, say) reads the new view's value in the new view and the
 * running field elsewhere, as the patch's own code does. Other instructions are left alone.
 *
 * <p>Implementation notes: the owner is matched as the instruction names it (a read through a
 * subclass's name is not rewritten), and the class's own reads are left alone. The constant
 * pool is scanned first, so a class reading no such field is returned untouched. Class files
 * older than Java 7 (no {@code invokedynamic}) are left alone. Writes ({@code putstatic}) are
 * not rewritten: they change the running field.
 *
 * <p>Threading: stateless; called on class-loading threads.
 */
final class ViewStaticReadRewriter {
    private static final DirectMethodHandleDesc BSM = ConstantDescs.ofCallsiteBootstrap(
            ClassDesc.of("dev.atlas.patch.runtime.ViewStaticReads"), "link", ConstantDescs.CD_CallSite,
            ConstantDescs.CD_int, ConstantDescs.CD_String);

    private ViewStaticReadRewriter() {}

    /** The class with its reads of per-view statics rewritten, or null if it reads none. */
    static byte[] rewrite(MethodRegistry registry, ClassModel model, String className) {
        if (model.majorVersion() < ClassFile.JAVA_7_VERSION || !readsViewStatic(registry, model, className)) {
            return null;
        }
        int link = registry.linkIndex();
        CodeTransform reads = (cob, coe) -> {
            if (coe instanceof FieldInstruction f && f.opcode() == Opcode.GETSTATIC && isViewStatic(registry, f.field(), className)) {
                cob.invokedynamic(DynamicCallSiteDesc.of(BSM, f.name().stringValue(),
                        MethodTypeDesc.of(f.typeSymbol()), link, f.owner().asInternalName()));
            } else {
                cob.with(coe);
            }
        };
        return ClassFile.of().transformClass(model, ClassTransform.transformingMethodBodies(reads));
    }

    private static boolean readsViewStatic(MethodRegistry registry, ClassModel model, String className) {
        for (PoolEntry e : model.constantPool()) {
            if (e instanceof FieldRefEntry f && isViewStatic(registry, f, className)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isViewStatic(MethodRegistry registry, FieldRefEntry f, String className) {
        String owner = f.owner().asInternalName();
        return !owner.equals(className) && registry.namesViewStatic(owner, f.name().stringValue(), f.type().stringValue());
    }
}
