package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;

/**
 * The body that the patch gives an abstract method the new release adds to an interface or a
 * class: it throws {@link AbstractMethodError} naming the receiver's class, the method and the
 * remedy. The agent runs it only for a receiver whose class has no implementation (its own
 * method, one a patch added, or for an interface a default): a class outside the patch, compiled
 * against the old release. For an interface the agent refuses the apply when it knows such a
 * class at that time (loaded and instrumented); for a class it does not, and a call on such an
 * object throws, as the JVM throws when that class runs on the new release. Its body method is
 * marked synthetic, which is how the agent tells it from a default method's body.
 *
 * <p>Implementation notes: the method is built in a one-method class or interface named like the
 * new one, with the new method's access, so that the code rewriter copies it like any added
 * method. Stateless.
 */
final class AbstractMethodBody {
    private static final ClassDesc AME = ClassDesc.of("java.lang.AbstractMethodError");

    private AbstractMethodBody() {}

    /** Whether {@code m}, a method the plan of {@code newModel} adds, is abstract in the new release. */
    static boolean isAbstractInNewRelease(ClassModel newModel, MethodModel m) {
        return newModel.methods().stream().anyMatch(x -> x.methodName().equalsString(m.methodName().stringValue())
                && x.methodType().equalsString(m.methodType().stringValue())
                && (x.flags().flagsMask() & ClassFile.ACC_ABSTRACT) != 0);
    }

    /** A method with a body in place of the abstract {@code abstractMethod} of {@code newModel}. */
    static MethodModel of(ClassModel newModel, MethodModel abstractMethod) {
        boolean isInterface = (newModel.flags().flagsMask() & ClassFile.ACC_INTERFACE) != 0;
        String owner = newModel.thisClass().asInternalName().replace('/', '.');
        String message = " does not implement " + owner + "." + abstractMethod.methodName().stringValue()
                + abstractMethod.methodType().stringValue() + ", an abstract method that a live patch added to the "
                + (isInterface ? "interface" : "class") + " (the class is not in the patch, and was compiled against the "
                + "old release); remedy: restart on the new release, or build the patch with the new release of that class";
        MethodTypeDesc type = abstractMethod.methodTypeSymbol();
        int access = isInterface ? ClassFile.ACC_PUBLIC
                : abstractMethod.flags().flagsMask() & (ClassFile.ACC_PUBLIC | ClassFile.ACC_PROTECTED);
        byte[] bytes = ClassFile.of().build(newModel.thisClass().asSymbol(), clb -> {
            clb.withFlags(isInterface ? ClassFile.ACC_PUBLIC | ClassFile.ACC_INTERFACE | ClassFile.ACC_ABSTRACT
                    : ClassFile.ACC_PUBLIC | ClassFile.ACC_ABSTRACT | ClassFile.ACC_SUPER);
            clb.withMethodBody(abstractMethod.methodName().stringValue(), type, access, cb -> cb
                    .new_(AME).dup()
                    .aload(0)
                    .invokevirtual(ConstantDescs.CD_Object, "getClass", MethodTypeDesc.of(ConstantDescs.CD_Class))
                    .invokevirtual(ConstantDescs.CD_Class, "getName", MethodTypeDesc.of(ConstantDescs.CD_String))
                    .loadConstant(message)
                    .invokevirtual(ConstantDescs.CD_String, "concat", MethodTypeDesc.of(ConstantDescs.CD_String, ConstantDescs.CD_String))
                    .invokespecial(AME, "<init>", MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_String))
                    .athrow());
        });
        return ClassFile.of().parse(bytes).methods().getFirst();
    }
}
