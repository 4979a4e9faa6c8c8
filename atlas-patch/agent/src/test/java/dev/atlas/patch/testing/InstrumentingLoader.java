package dev.atlas.patch.testing;

import dev.atlas.patch.instrument.ClassSelector;
import dev.atlas.patch.instrument.CodeInstrumenter;

import java.util.Map;

/**
 * An isolated class loader for tests: defines the given classes, instrumenting those the
 * selector picks, as the agent's transformer would; everything else comes from the parent
 * (the test's loader, which holds Atlas's runtime).
 */
public final class InstrumentingLoader extends ClassLoader {
    private final Map<String, byte[]> classes;
    private final ClassSelector selector;
    private final CodeInstrumenter instrumenter;

    public InstrumentingLoader(String name, Map<String, byte[]> classes, ClassSelector selector, CodeInstrumenter instrumenter) {
        super(name, InstrumentingLoader.class.getClassLoader());
        this.classes = Map.copyOf(classes);
        this.selector = selector;
        this.instrumenter = instrumenter;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String internal = name.replace('.', '/');
        byte[] b = classes.get(internal);
        if (b == null) {
            throw new ClassNotFoundException(name);
        }
        if (selector.selects(internal, this)) {
            byte[] out = instrumenter.instrument(this, b);
            if (out != null) {
                b = out;
            }
        }
        return defineClass(name, b, 0, b.length);
    }

    /**
     * Defines a patch's classes in packages new to this loader, as the agent's
     * {@code NewPackageDefiner} does in the loaders it reaches through Instrumentation (the new
     * package gets the host package's attributes; the class the host's protection domain).
     */
    public dev.atlas.patch.runtime.PackageDefiner packageDefiner() {
        return (host, binaryName, bytes) -> {
            if (host.getClassLoader() != this) {
                throw new IllegalArgumentException(host + " is not a class of " + this);
            }
            String pkg = binaryName.substring(0, binaryName.lastIndexOf('.'));
            if (getDefinedPackage(pkg) == null) {
                Package like = host.getPackage();
                definePackage(pkg, like.getSpecificationTitle(), like.getSpecificationVersion(), like.getSpecificationVendor(),
                        like.getImplementationTitle(), like.getImplementationVersion(), like.getImplementationVendor(), null);
            }
            return defineClass(binaryName, bytes, 0, bytes.length, host.getProtectionDomain());
        };
    }

    /** The test's class files as resources too (the instrumenter reads a superclass's constructors from them). */
    @Override
    public java.io.InputStream getResourceAsStream(String name) {
        if (name.endsWith(".class") && classes.containsKey(name.substring(0, name.length() - 6))) {
            return new java.io.ByteArrayInputStream(classes.get(name.substring(0, name.length() - 6)));
        }
        return super.getResourceAsStream(name);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null && classes.containsKey(name.replace('.', '/'))) {
                c = findClass(name);   // child first for the test's own classes
            }
            if (c == null) {
                return super.loadClass(name, resolve);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }
}
