package dev.atlas.patch.runtime;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AccessFlag;

/**
 * Full-privilege lookups on application classes, which defining a hidden nestmate needs.
 *
 * <p>Implementation notes: {@code privateLookupIn} from Atlas's module gives private access
 * to a class of another module (every class loader has its own unnamed module) but not
 * module access, and {@code defineHiddenClass} needs both. A lookup with module access can
 * only come from code of that module, so for each patched class C Atlas defines, with the
 * package access it has, a tiny synthetic class {@code C$$AtlasLookup} beside C with a
 * package-private {@code static Lookup lookup()}; from its full-privilege lookup,
 * {@code privateLookupIn(C, ..)} keeps module access. The helper class is never visible to
 * code outside C's package (package-private method, synthetic class).
 *
 * <p>Threading: shared; {@link ClassValue} computes each lookup once per class.
 */
final class FullLookups {
    private FullLookups() {}

    private static final ClassDesc CD_LOOKUP = ClassDesc.of("java.lang.invoke.MethodHandles$Lookup");

    private static final ClassValue<MethodHandles.Lookup> LOOKUPS = new ClassValue<>() {
        @Override
        protected MethodHandles.Lookup computeValue(Class<?> c) {
            try {
                MethodHandles.Lookup pkg = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
                String name = c.getName() + "$$AtlasLookup";
                Class<?> provider;
                try {
                    provider = Class.forName(name, false, c.getClassLoader());
                } catch (ClassNotFoundException notYet) {
                    provider = pkg.defineClass(providerBytes(name));
                }
                MethodHandles.Lookup p = MethodHandles.privateLookupIn(provider, MethodHandles.lookup());
                MethodHandles.Lookup full = (MethodHandles.Lookup) p.findStatic(provider, "lookup",
                        MethodType.methodType(MethodHandles.Lookup.class)).invokeExact();
                return MethodHandles.privateLookupIn(c, full);
            } catch (Throwable t) {
                throw new PatchRejectedException("cannot obtain a full-privilege lookup on " + c.getName()
                        + " to define its new code: " + t, t);
            }
        }
    };

    /** A lookup on {@code c} with private and module access. */
    static MethodHandles.Lookup of(Class<?> c) {
        return LOOKUPS.get(c);
    }

    private static byte[] providerBytes(String dottedName) {
        return ClassFile.of().build(ClassDesc.of(dottedName), cb -> cb
                .withFlags(AccessFlag.FINAL, AccessFlag.SYNTHETIC, AccessFlag.SUPER)
                .withMethod("lookup", MethodTypeDesc.of(CD_LOOKUP), ClassFile.ACC_STATIC | ClassFile.ACC_SYNTHETIC,
                        mb -> mb.withCode(code -> code
                                .invokestatic(ConstantDescs.CD_MethodHandles, "lookup", MethodTypeDesc.of(CD_LOOKUP))
                                .areturn())));
    }
}
