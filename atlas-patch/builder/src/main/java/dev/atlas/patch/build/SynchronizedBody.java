package dev.atlas.patch.build;

import java.lang.classfile.ClassBuilder;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * The lock of a method that is {@code synchronized} in the new release and not in the running
 * class (a new synchronized method, or {@code synchronized} added to an existing one). The
 * running method's modifiers never change, so its entry guard runs without the lock; the new
 * view's body takes it itself, as the JVM would for the new release: the receiver for an
 * instance method, the (loaded) class object for a static one, held from before the first
 * instruction of the new code until after its last, released on a normal return and on an
 * exception alike (JLS 8.4.3.6, JVMS 2.11.10).
 *
 * <p>Implementation notes: the copied code of the new method goes to a second body method
 * ({@link #innerName}); the body method the agent calls is a wrapper in javac's shape of a
 * {@code synchronized} block ({@code monitorenter}, the call, {@code monitorexit}; a catch-all
 * handler that exits the monitor and rethrows), so the JIT sees structured locking. The
 * opposite change, {@code synchronized} removed, cannot be made: the running method takes the
 * lock before its entry guard dispatches to any view's body ({@link ModifierChange}).
 */
final class SynchronizedBody {
    private SynchronizedBody() {
    }

    /** Whether the new view's body of {@code m} must take the lock itself. */
    static boolean needsLock(ClassModel oldModel, MethodModel m) {
        if ((m.flags().flagsMask() & ClassFile.ACC_SYNCHRONIZED) == 0) {
            return false;
        }
        for (MethodModel o : oldModel.methods()) {
            if (o.methodName().equalsString(m.methodName().stringValue()) && o.methodType().equalsString(m.methodType().stringValue())
                    && ((o.flags().flagsMask() ^ m.flags().flagsMask()) & ClassFile.ACC_STATIC) == 0) {
                return (o.flags().flagsMask() & ClassFile.ACC_SYNCHRONIZED) == 0;
            }
        }
        return true;
    }

    /** The name of the body method that holds the copied code of a locking body named {@code bodyMethod}. */
    static String innerName(String bodyMethod) {
        return bodyMethod + "$atlas$locked";
    }

    /**
     * Adds to {@code clb} the body method {@code name} ({@code desc}: receiver first for an
     * instance method) that locks and calls {@link #innerName}{@code (name)}.
     *
     * @param body        the body class being built
     * @param lockedClass the loaded class, whose class object a static method locks
     */
    static void wrapper(ClassBuilder clb, ClassDesc body, String name, MethodTypeDesc desc, boolean isStatic,
                        ClassDesc lockedClass) {
        clb.withMethodBody(name, desc, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, cb -> {
            int lock = cb.allocateLocal(TypeKind.REFERENCE);
            if (isStatic) {
                cb.ldc(lockedClass);
            } else {
                cb.aload(0);
            }
            cb.dup();
            cb.astore(lock);
            cb.monitorenter();
            Label start = cb.newBoundLabel();
            int slot = 0;
            for (ClassDesc p : desc.parameterList()) {
                TypeKind k = TypeKind.from(p);
                cb.loadLocal(k, slot);
                slot += k.slotSize();
            }
            cb.invokestatic(body, innerName(name), desc);
            cb.aload(lock);
            cb.monitorexit();
            Label end = cb.newBoundLabel();
            cb.return_(TypeKind.from(desc.returnType()));
            Label handler = cb.newBoundLabel();
            int thrown = cb.allocateLocal(TypeKind.REFERENCE);
            cb.astore(thrown);
            cb.aload(lock);
            cb.monitorexit();
            cb.aload(thrown);
            cb.athrow();
            cb.exceptionCatchAll(start, end, handler);
        });
    }
}
