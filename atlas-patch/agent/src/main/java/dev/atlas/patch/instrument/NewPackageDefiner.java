package dev.atlas.patch.instrument;

import dev.atlas.patch.runtime.PackageDefiner;
import dev.atlas.patch.runtime.PatchRejectedException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.net.URI;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The agent's {@link PackageDefiner}: defines a class a patch adds in a new package with the
 * class loader's own {@code defineClass(String, byte[], int, int, ProtectionDomain)}, after
 * copying the host package's specification and implementation attributes to the new
 * {@code Package} ({@code definePackage}, unsealed), so {@code getPackage()} describes the
 * same release.
 *
 * {@snippet :
 * CodeViews code = new CodeViews(new NewPackageDefiner(instrumentation));   // what the agent's installer does
 * }
 *
 * <p>Implementation notes: {@code ClassLoader}'s define methods are protected, and
 * {@code java.lang} is open to no one. Opening it to the agent's own module would open it to
 * the whole class path (with {@code -javaagent} the agent is in the application loader's
 * unnamed module), so on first use this makes a module of its own,
 * {@code dev.atlas.patch.definer}, in a layer of its own with one generated class, opens
 * {@code java.lang} to that module only ({@link Instrumentation#redefineModule}) and keeps the
 * {@code ClassLoader} lookup the class returns (and its lookup on {@code Class}, for
 * {@code runtime.EnumConstantViews}); the module's package is exported to this
 * class's module alone, and nothing else holds a reference to the layer. Threading: called
 * under the code views' lock; {@link #lookup} is set once, under this object's monitor.
 */
public final class NewPackageDefiner implements PackageDefiner {
    private static final String MODULE = "dev.atlas.patch.definer";
    private static final String CLASS = MODULE + ".LoaderAccess";
    private static final ClassDesc LOOKUP = ClassDesc.of("java.lang.invoke.MethodHandles$Lookup");
    private static final MethodType DEFINE_CLASS = MethodType.methodType(Class.class, String.class, byte[].class,
            int.class, int.class, ProtectionDomain.class);
    private static final MethodType DEFINE_PACKAGE = MethodType.methodType(Package.class, String.class, String.class,
            String.class, String.class, String.class, String.class, String.class, java.net.URL.class);

    private final Instrumentation instrumentation;
    private MethodHandles.Lookup lookup;   // guarded by this
    private MethodHandles.Lookup classLookup;   // guarded by this

    public NewPackageDefiner(Instrumentation instrumentation) {
        this.instrumentation = java.util.Objects.requireNonNull(instrumentation, "instrumentation");
    }

    @Override
    public Class<?> define(Class<?> host, String binaryName, byte[] bytes) {
        MethodHandles.Lookup l = lookup();
        ClassLoader loader = host.getClassLoader();
        int dot = binaryName.lastIndexOf('.');
        String pkg = dot < 0 ? "" : binaryName.substring(0, dot);
        try {
            if (loader.getDefinedPackage(pkg) == null) {
                Package like = host.getPackage();
                MethodHandle definePackage = l.findVirtual(ClassLoader.class, "definePackage", DEFINE_PACKAGE);
                definePackage.invoke(loader, pkg, like.getSpecificationTitle(), like.getSpecificationVersion(),
                        like.getSpecificationVendor(), like.getImplementationTitle(), like.getImplementationVersion(),
                        like.getImplementationVendor(), null);
            }
            MethodHandle defineClass = l.findVirtual(ClassLoader.class, "defineClass", DEFINE_CLASS);
            return (Class<?>) defineClass.invoke(loader, binaryName, bytes, 0, bytes.length, host.getProtectionDomain());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new PatchRejectedException("class " + binaryName + " cannot be defined in its new package: " + t, t);
        }
    }

    /**
     * A lookup on {@code java.lang.ClassLoader} with package access to {@code java.lang} (not
     * module access): it defines classes into {@code java.lang} and reaches their package-private
     * members ({@link RetransformingMethodGuards}'s bridge).
     */
    MethodHandles.Lookup javaLangLookup() {
        return lookup();
    }

    private synchronized MethodHandles.Lookup lookup() {
        if (lookup == null) {
            lookup = openLoaderAccess();
        }
        return lookup;
    }

    /**
     * A lookup with private access to {@code java.lang.Class}, from the same module (for
     * {@code runtime.EnumConstantViews}, which publishes a patch's added enum constants).
     */
    @Override
    public synchronized MethodHandles.Lookup classLookup() {
        if (classLookup == null) {
            lookup();
        }
        return classLookup;
    }

    private MethodHandles.Lookup openLoaderAccess() {
        byte[] bytes = loaderAccessBytes();
        ModuleDescriptor descriptor = ModuleDescriptor.newModule(MODULE).packages(Set.of(MODULE)).build();
        String file = CLASS.replace('.', '/') + ".class";
        ModuleReference ref = new ModuleReference(descriptor, null) {
            @Override
            public ModuleReader open() {
                return new ModuleReader() {
                    @Override
                    public Optional<URI> find(String name) {
                        return Optional.empty();
                    }

                    @Override
                    public Optional<InputStream> open(String name) {
                        return name.equals(file) ? Optional.of(new ByteArrayInputStream(bytes)) : Optional.empty();
                    }

                    @Override
                    public Stream<String> list() {
                        return Stream.of(file);
                    }

                    @Override
                    public void close() {
                        // nothing held
                    }
                };
            }
        };
        ModuleFinder finder = new ModuleFinder() {
            @Override
            public Optional<ModuleReference> find(String name) {
                return name.equals(MODULE) ? Optional.of(ref) : Optional.empty();
            }

            @Override
            public Set<ModuleReference> findAll() {
                return Set.of(ref);
            }
        };
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(finder, ModuleFinder.of(), Set.of(MODULE));
        ModuleLayer layer = boot.defineModulesWithOneLoader(cf, NewPackageDefiner.class.getClassLoader());
        Module access = layer.findModule(MODULE).orElseThrow();
        Module self = NewPackageDefiner.class.getModule();
        instrumentation.redefineModule(Object.class.getModule(), Set.of(), Map.of(), Map.of("java.lang", Set.of(access)),
                Set.of(), Map.of());
        instrumentation.redefineModule(access, Set.of(), Map.of(MODULE, Set.of(self)), Map.of(), Set.of(), Map.of());
        try {
            Class<?> c = Class.forName(access, CLASS);
            classLookup = (MethodHandles.Lookup) c.getMethod("classLookup").invoke(null);
            return (MethodHandles.Lookup) c.getMethod("classLoaderLookup").invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new PatchRejectedException("cannot reach ClassLoader.defineClass to define a class in a new package: " + e, e);
        }
    }

    /**
     * {@code public final class LoaderAccess { public static Lookup classLoaderLookup() { return privateLookupIn(ClassLoader.class, lookup()); }
     * public static Lookup classLookup() { return privateLookupIn(Class.class, lookup()); } }}.
     */
    static byte[] loaderAccessBytes() {
        ClassDesc self = ClassDesc.of(CLASS);
        ClassDesc handles = ClassDesc.of("java.lang.invoke.MethodHandles");
        return ClassFile.of().build(self, cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC);
            cb.withMethodBody("classLoaderLookup", MethodTypeDesc.of(LOOKUP), ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> b
                    .ldc(ClassDesc.of("java.lang.ClassLoader"))
                    .invokestatic(handles, "lookup", MethodTypeDesc.of(LOOKUP))
                    .invokestatic(handles, "privateLookupIn", MethodTypeDesc.of(LOOKUP, ConstantDescs.CD_Class, LOOKUP))
                    .areturn());
            cb.withMethodBody("classLookup", MethodTypeDesc.of(LOOKUP), ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, b -> b
                    .ldc(ConstantDescs.CD_Class)
                    .invokestatic(handles, "lookup", MethodTypeDesc.of(LOOKUP))
                    .invokestatic(handles, "privateLookupIn", MethodTypeDesc.of(LOOKUP, ConstantDescs.CD_Class, LOOKUP))
                    .areturn());
        });
    }
}
