package dev.atlas.patch.runtime;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.LambdaConversionException;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AccessFlag;
import java.util.ArrayList;
import java.util.List;

/**
 * The lambdas and method references of a patch's new code, linked so that they unload with
 * it: {@link LambdaMetafactory} defines each lambda's class as a <em>strong</em> hidden class
 * of the caller's loader (JDK 25, {@code InnerClassLambdaMetafactory}), holding a handle to
 * the caller's method, so a body class with one lambda stayed loaded as long as the
 * application's class loader, after its patch was rolled back and its view retired. This
 * factory spins the lambda's class itself (ClassFile API) and defines it through the body
 * class's lookup as an ordinary, unloadable hidden class; the body class, its call sites and
 * its lambda classes then form one cycle that the GC collects once no thread runs the code
 * and no lambda object of it is left.
 *
 * {@snippet class=dev.atlas.patch.runtime.RuntimeSnippets region=patch-lambdas}
 *
 * <p>The spun class: a field per captured value, a constructor taking them, and the interface
 * method (and each bridge) as {@code invokeExact} on the implementation adapted by
 * {@link MethodHandle#asType} to the captured types and the method's own (the conversions a
 * lambda allows: casts, boxing, unboxing, widening, a dropped result). Its handles are its
 * class data, constants to the JIT as in the JDK's own lambda classes. Lambdas and method
 * references behave as the JDK's, except that their class is not {@code isSynthetic}-named
 * {@code $$Lambda}. A serializable lambda goes to {@link LambdaMetafactory#altMetafactory}
 * (it needs the JDK's {@code writeReplace} protocol), and stays loaded as before.
 *
 * <p>Threading: stateless; called while a patch is prepared (under the code views' lock).
 */
final class PatchLambdas {
    private static final ClassDesc CD_METHOD_HANDLE = ConstantDescs.CD_MethodHandle;

    private PatchLambdas() {}

    /** Whether {@code owner.name} is a bootstrap this class can take over. */
    static boolean handles(ClassDesc owner, String name) {
        return owner.equals(ClassDesc.of(LambdaMetafactory.class.getName()))
                && (name.equals("metafactory") || name.equals("altMetafactory"));
    }

    /**
     * Links a {@code LambdaMetafactory.metafactory} or {@code altMetafactory} call site of
     * code defined by {@code caller} (arguments as the JVM passes them).
     */
    static CallSite link(String bootstrap, MethodHandles.Lookup caller, String name, MethodType factoryType,
                         List<Object> args) throws Throwable {
        if (bootstrap.equals("metafactory")) {
            return metafactory(caller, name, factoryType, (MethodType) args.get(0), (MethodHandle) args.get(1),
                    (MethodType) args.get(2), List.of(), List.of());
        }
        int flags = (Integer) args.get(3);
        if ((flags & LambdaMetafactory.FLAG_SERIALIZABLE) != 0) {
            List<Object> all = new ArrayList<>(List.of(caller, name, factoryType));
            all.addAll(args);
            return (CallSite) MethodHandles.lookup().findStatic(LambdaMetafactory.class, "altMetafactory",
                    MethodType.methodType(CallSite.class, MethodHandles.Lookup.class, String.class, MethodType.class,
                            Object[].class)).invokeWithArguments(all);
        }
        int at = 4;
        List<Class<?>> markers = new ArrayList<>();
        if ((flags & LambdaMetafactory.FLAG_MARKERS) != 0) {
            int n = (Integer) args.get(at++);
            for (int i = 0; i < n; i++) {
                markers.add((Class<?>) args.get(at++));
            }
        }
        List<MethodType> bridges = new ArrayList<>();
        if ((flags & LambdaMetafactory.FLAG_BRIDGES) != 0) {
            int n = (Integer) args.get(at++);
            for (int i = 0; i < n; i++) {
                bridges.add((MethodType) args.get(at++));
            }
        }
        return metafactory(caller, name, factoryType, (MethodType) args.get(0), (MethodHandle) args.get(1),
                (MethodType) args.get(2), markers, bridges);
    }

    /**
     * As {@link LambdaMetafactory#metafactory}, with an unloadable class.
     *
     * @param markers further interfaces the object implements
     * @param bridges further signatures of the interface method
     */
    static CallSite metafactory(MethodHandles.Lookup caller, String name, MethodType factoryType, MethodType samType,
                                MethodHandle implementation, MethodType dynamicType, List<Class<?>> markers,
                                List<MethodType> bridges) throws Throwable {
        Class<?> iface = factoryType.returnType();
        if (!iface.isInterface()) {
            throw new LambdaConversionException(iface.getName() + " is not an interface");
        }
        List<Class<?>> captured = erased(factoryType.parameterList());
        // the implementation, as called with the captured values and the dynamic argument types
        MethodHandle exact = implementation.asFixedArity().asType(dynamicType.insertParameterTypes(0, factoryType.parameterList()));
        List<MethodType> signatures = new ArrayList<>();
        signatures.add(samType);
        for (MethodType b : bridges) {
            if (!b.equals(samType) && !signatures.contains(b)) {
                signatures.add(b);
            }
        }
        List<MethodHandle> handles = new ArrayList<>();
        for (MethodType sig : signatures) {
            handles.add(exact.asType(sig.insertParameterTypes(0, captured)));
        }
        ClassDesc self = ClassDesc.of(caller.lookupClass().getPackageName(), "AtlasPatchLambda");
        byte[] bytes = spin(self, iface, markers, name, captured, signatures);
        MethodHandles.Lookup spun = caller.defineHiddenClassWithClassData(bytes, List.copyOf(handles), true);
        MethodHandle constructor = spun.findConstructor(spun.lookupClass(), MethodType.methodType(void.class, captured));
        if (captured.isEmpty()) {
            return new ConstantCallSite(MethodHandles.constant(iface, constructor.invoke()));
        }
        return new ConstantCallSite(constructor.asType(factoryType));
    }

    private static byte[] spin(ClassDesc self, Class<?> iface, List<Class<?>> markers, String name, List<Class<?>> captured,
                               List<MethodType> signatures) {
        List<ClassDesc> interfaces = new ArrayList<>();
        interfaces.add(desc(iface));
        for (Class<?> m : markers) {
            interfaces.add(desc(m));
        }
        MethodTypeDesc init = MethodTypeDesc.of(ConstantDescs.CD_void, captured.stream().map(PatchLambdas::desc).toList());
        return ClassFile.of().build(self, cb -> {
            cb.withFlags(AccessFlag.FINAL, AccessFlag.SYNTHETIC).withInterfaceSymbols(interfaces);
            for (int i = 0; i < captured.size(); i++) {
                cb.withField("arg" + i, desc(captured.get(i)), ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL);
            }
            cb.withMethodBody(ConstantDescs.INIT_NAME, init, ClassFile.ACC_PRIVATE, code -> {
                code.aload(0).invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void);
                int slot = 1;
                for (int i = 0; i < captured.size(); i++) {
                    TypeKind k = TypeKind.from(captured.get(i));
                    code.aload(0).loadLocal(k, slot).putfield(self, "arg" + i, desc(captured.get(i)));
                    slot += k.slotSize();
                }
                code.return_();
            });
            for (int s = 0; s < signatures.size(); s++) {
                MethodType sig = signatures.get(s);
                MethodTypeDesc own = desc(sig);
                MethodTypeDesc call = own.insertParameterTypes(0, captured.stream().map(PatchLambdas::desc)
                        .toArray(ClassDesc[]::new));
                int index = s;
                cb.withMethodBody(name, own, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, code -> {
                    code.ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, ConstantDescs.DEFAULT_NAME,
                            CD_METHOD_HANDLE, index));
                    for (int i = 0; i < captured.size(); i++) {
                        code.aload(0).getfield(self, "arg" + i, desc(captured.get(i)));
                    }
                    loadParameters(code, sig);
                    code.invokevirtual(CD_METHOD_HANDLE, "invokeExact", call);
                    code.return_(TypeKind.from(sig.returnType()));
                });
            }
        });
    }

    private static void loadParameters(CodeBuilder code, MethodType sig) {
        int slot = 1;
        for (Class<?> p : sig.parameterList()) {
            TypeKind k = TypeKind.from(p);
            code.loadLocal(k, slot);
            slot += k.slotSize();
        }
    }

    /** Reference types as Object (the handles' asType casts them): the spun class names no class it may not see. */
    private static List<Class<?>> erased(List<Class<?>> types) {
        return types.stream().<Class<?>>map(t -> t.isPrimitive() ? t : Object.class).toList();
    }

    private static ClassDesc desc(Class<?> c) {
        return c.describeConstable().orElseThrow(() -> new IllegalArgumentException("no descriptor for " + c));
    }

    private static MethodTypeDesc desc(MethodType t) {
        return t.describeConstable().orElseThrow(() -> new IllegalArgumentException("no descriptor for " + t));
    }
}
