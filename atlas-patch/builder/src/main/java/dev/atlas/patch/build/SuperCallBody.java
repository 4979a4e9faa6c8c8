package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.TypeKind;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * The new body of an overriding method that the new release removed: {@code return
 * super.m(args);}. The running class keeps its override (a loaded class loses no method), so
 * calls still dispatch to it; with this body the new view runs what the new release inherits,
 * and the old view its own override. Copied into the body class like a changed method, where
 * the super call becomes a {@code linkSuper} link ({@link CodeRewriter}).
 *
 * <p>Implementation notes: the method is built in a one-method class named like the new class
 * (same superclass), so that the code rewriter sees an ordinary {@code invokespecial} of the
 * direct superclass, as javac would emit it.
 */
final class SuperCallBody {
    private SuperCallBody() {}

    /** {@code removed} (a method of the old class) with the body {@code return super.name(args);}. */
    static MethodModel of(ClassModel newModel, MethodModel removed) {
        return of(newModel, removed, null);
    }

    /**
     * {@code removed} with the body {@code return Iface.super.name(args);}: the default method
     * of the class's direct superinterface {@code iface} (null: the superclass's method).
     */
    static MethodModel of(ClassModel newModel, MethodModel removed, ClassDesc iface) {
        ClassDesc superclass = newModel.superclass().map(ClassEntry::asSymbol).orElseThrow();
        MethodTypeDesc type = removed.methodTypeSymbol();
        int flags = removed.flags().flagsMask() & ~(ClassFile.ACC_ABSTRACT | ClassFile.ACC_NATIVE | ClassFile.ACC_SYNCHRONIZED);
        byte[] bytes = ClassFile.of().build(newModel.thisClass().asSymbol(), clb -> {
            clb.withSuperclass(superclass);
            if (iface != null) {
                clb.withInterfaceSymbols(iface);
            }
            clb.withMethodBody(removed.methodName().stringValue(), type, flags, cb -> {
                cb.aload(0);
                int slot = 1;
                for (ClassDesc p : type.parameterList()) {
                    TypeKind k = TypeKind.from(p);
                    cb.loadLocal(k, slot);
                    slot += k.slotSize();
                }
                if (iface != null) {
                    cb.invokespecial(iface, removed.methodName().stringValue(), type, true);
                } else {
                    cb.invokespecial(superclass, removed.methodName().stringValue(), type);
                }
                cb.return_(TypeKind.from(type.returnType()));
            });
        });
        return ClassFile.of().parse(bytes).methods().getFirst();
    }
}
