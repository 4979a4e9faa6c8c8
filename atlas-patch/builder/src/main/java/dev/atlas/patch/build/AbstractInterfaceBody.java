package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;

/**
 * The body that the patch gives an abstract method the new release adds to an interface: it
 * throws {@link AbstractMethodError} naming the receiver's class, the method and the remedy.
 * The agent runs it only for a receiver whose class has no implementation (its own method, one
 * a patch added, or a default): a class outside the patch, compiled against the old release,
 * loaded after the apply or outside the agent's include patterns (the agent refuses the apply
 * when it knows such a class at that time). Its body method is marked synthetic, which is how
 * the agent tells it from a default method's body.
 *
 * <p>Implementation notes: the method is built in a one-method interface named like the new
 * one, so that the code rewriter copies it like any added default method. Stateless.
 */
final class AbstractInterfaceBody {
    private static final ClassDesc AME = ClassDesc.of("java.lang.AbstractMethodError");

    private AbstractInterfaceBody() {}

    /** Whether {@code m}, a method the plan of interface {@code newModel} adds, is abstract in the new release. */
    static boolean isAbstractInNewRelease(ClassModel newModel, MethodModel m) {
        if ((newModel.flags().flagsMask() & ClassFile.ACC_INTERFACE) == 0) {
            return false;
        }
        return newModel.methods().stream().anyMatch(x -> x.methodName().equalsString(m.methodName().stringValue())
                && x.methodType().equalsString(m.methodType().stringValue())
                && (x.flags().flagsMask() & ClassFile.ACC_ABSTRACT) != 0);
    }

    /** A default method in place of the abstract {@code abstractMethod} of interface {@code newModel}. */
    static MethodModel of(ClassModel newModel, MethodModel abstractMethod) {
        String iface = newModel.thisClass().asInternalName().replace('/', '.');
        String message = " does not implement " + iface + "." + abstractMethod.methodName().stringValue()
                + abstractMethod.methodType().stringValue() + ", an abstract method that a live patch added to the "
                + "interface (the class is not in the patch, and was compiled against the old release); remedy: "
                + "restart on the new release, or build the patch with the new release of that class";
        MethodTypeDesc type = abstractMethod.methodTypeSymbol();
        byte[] bytes = ClassFile.of().build(newModel.thisClass().asSymbol(), clb -> {
            clb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_INTERFACE | ClassFile.ACC_ABSTRACT);
            clb.withMethodBody(abstractMethod.methodName().stringValue(), type, ClassFile.ACC_PUBLIC, cb -> cb
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
