package dev.atlas.patch.instrument;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.List;

/**
 * The code of the guards of methods the agent does not instrument
 * ({@link RetransformingMethodGuards}): the entry guard woven into a guarded method, the
 * {@code java.lang.AtlasForeignGuard} bridge and the {@code AtlasForeignGuard$<key>} class each
 * guarded method calls. Stateless; every method takes the bridge's name, so that tests can
 * define the classes outside {@code java.lang}.
 */
final class ForeignGuardCode {
    static final String BRIDGE = "java/lang/AtlasForeignGuard";
    private static final ClassDesc CD_MH = ConstantDescs.CD_MethodHandle;
    private static final ClassDesc CD_LOOKUP = ClassDesc.of("java.lang.invoke.MethodHandles$Lookup");
    private static final MethodTypeDesc KEY_FIND = MethodTypeDesc.of(CD_MH, ConstantDescs.CD_Object);

    private ForeignGuardCode() {}

    /** One method to guard under a key. */
    record Site(int key, String name, String descriptor) {}

    /** {@code sites} of the class guarded, calling the key classes of bridge {@code bridge} (an internal name). */
    static byte[] weave(ClassFile cf, ClassModel model, List<Site> sites, String bridge) {
        ClassDesc self = model.thisClass().asSymbol();
        List<Site> found = new ArrayList<>();
        ClassTransform t = (clb, ce) -> {
            Site s = ce instanceof MethodModel m ? site(sites, m) : null;
            if (s != null && ((MethodModel) ce).code().isPresent()) {
                found.add(s);
                clb.transformMethod((MethodModel) ce, java.lang.classfile.MethodTransform.transformingCode(guard(self, s, bridge)));
            } else {
                clb.with(ce);
            }
        };
        byte[] out = cf.transformClass(model, t);
        if (found.size() != sites.size()) {
            List<Site> missing = new ArrayList<>(sites);
            missing.removeAll(found);
            throw new IllegalArgumentException(model.thisClass().asInternalName() + " has no code for " + missing);
        }
        return LegacyClassVersion.needsRaise(model) ? LegacyClassVersion.raise(cf, out) : out;
    }

    private static Site site(List<Site> sites, MethodModel m) {
        for (Site s : sites) {
            if (m.methodName().equalsString(s.name()) && m.methodType().equalsString(s.descriptor())
                    && (m.flags().flagsMask() & ClassFile.ACC_STATIC) == 0) {
                return s;
            }
        }
        return null;
    }

    private static CodeTransform guard(ClassDesc self, Site s, String bridge) {
        MethodTypeDesc type = MethodTypeDesc.ofDescriptor(s.descriptor());
        return new CodeTransform() {
            @Override
            public void atStart(CodeBuilder b) {
                Label original = b.newLabel();
                b.aload(0);
                b.invokestatic(ClassDesc.ofInternalName(keyClassName(bridge, s.key())), "find", KEY_FIND);
                b.dup();
                b.ifnull(original);
                b.aload(0);
                for (int i = 0; i < type.parameterCount(); i++) {
                    b.loadLocal(TypeKind.from(type.parameterType(i)), b.parameterSlot(i));
                }
                b.invokevirtual(CD_MH, "invokeExact", type.insertParameterTypes(0, self));
                b.return_(TypeKind.from(type.returnType()));
                b.labelBinding(original);
                b.pop();
            }

            @Override
            public void accept(CodeBuilder b, CodeElement e) {
                b.with(e);
            }
        };
    }

    /**
     * {@code public final class AtlasForeignGuard { static MethodHandle pending; static Lookup lookup() }}:
     * {@code pending} hands a key class's call site to its class initialiser (under LOCK).
     */
    static byte[] bridgeBytes() {
        return bridgeBytes(BRIDGE);
    }

    /** {@link #bridgeBytes()} named {@code bridge} (an internal name). */
    static byte[] bridgeBytes(String bridge) {
        return ClassFile.of().build(ClassDesc.ofInternalName(bridge), cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC);
            cb.withField("pending", CD_MH, ClassFile.ACC_STATIC);
            cb.withMethodBody("lookup", MethodTypeDesc.of(CD_LOOKUP), ClassFile.ACC_STATIC, b -> b
                    .invokestatic(ClassDesc.of("java.lang.invoke.MethodHandles"), "lookup", MethodTypeDesc.of(CD_LOOKUP))
                    .areturn());
        });
    }

    /** The internal name of the class whose {@code find} the guard of {@code key} calls. */
    static String keyClassName(int key) {
        return keyClassName(BRIDGE, key);
    }

    static String keyClassName(String bridge, int key) {
        return bridge + "$" + key;
    }

    /**
     * {@code public final class AtlasForeignGuard$<key> { private static final MethodHandle SITE = AtlasForeignGuard.pending;
     * public static MethodHandle find(Object receiver) { return (MethodHandle) SITE.invokeExact(receiver); } }}
     */
    static byte[] keyClassBytes(int key) {
        return keyClassBytes(BRIDGE, key);
    }

    /** {@link #keyClassBytes(int)} of bridge {@code bridge} (an internal name). */
    static byte[] keyClassBytes(String bridge, int key) {
        ClassDesc self = ClassDesc.ofInternalName(keyClassName(bridge, key));
        return ClassFile.of().build(self, cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC);
            cb.withField("SITE", CD_MH, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL);
            cb.withMethodBody(ConstantDescs.CLASS_INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_STATIC, b -> b
                    .getstatic(ClassDesc.ofInternalName(bridge), "pending", CD_MH)
                    .putstatic(self, "SITE", CD_MH)
                    .return_());
            cb.withMethodBody("find", KEY_FIND, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> b
                    .getstatic(self, "SITE", CD_MH)
                    .aload(0)
                    .invokevirtual(CD_MH, "invokeExact", KEY_FIND)
                    .areturn());
        });
    }
}
