package dev.atlas.ulp.load;

import dev.atlas.ulp.rewrite.SystemCallRewriter;
import dev.atlas.ulp.system.ProgramContext;
import dev.atlas.ulp.system.ProgramScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassHierarchyResolver;
import java.net.URL;
import java.net.URLClassLoader;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Manifest;

/**
 * The class loader of one program: its statics are its own. Lookup order, as {@code java}'s
 * application loader has it: the platform loader first (the JDK), then the JDK modules
 * defined to the application loader ({@code jdk.compiler}, ...), then the program's own
 * class path; the host's class path is never visible, except for the shared API packages
 * (the program's {@code System} and {@code Ulp}), which come from the host's loader so that
 * every program links to the same ones; the patch agent's runtime ({@link #AGENT_PACKAGES}), which
 * an instrumented class calls, comes from the system loader when the program has none of its
 * own. The program's classes are rewritten as they are
 * defined ({@link SystemCallRewriter}); on a versioned class path (jars only) the rewritten
 * class files come from the host's {@link ClassFileCache} after the first program.
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=class-loader}
 *
 * <p>Thread safety: parallel capable; classes are defined under the JDK's per-name locks.
 */
public final class ProgramClassLoader extends URLClassLoader implements ProgramScoped {
    /** Packages every program shares with the host (the program's System and the Ulp API). */
    public static final List<String> SHARED_PACKAGES = List.of("dev.atlas.ulp.system.");
    /**
     * Packages that the Atlas patch agent's instrumentation makes a program's classes call
     * (its dispatch and the view runtime); found through the system class loader, to which the
     * agent appends itself, when the program's own class path does not have them.
     */
    public static final List<String> AGENT_PACKAGES = List.of("dev.atlas.patch.", "dev.atlas.core.");
    private static final Set<String> APP_LOADER_JDK_PACKAGES = appLoaderJdkPackages();

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final String displayName;
    private final ProgramClassPath classPath;
    private final ProgramContext context;
    private final ClassLoader host;
    private final Object rewriterLock = new Object();
    private volatile SystemCallRewriter rewriter;   // made by the first class not in the cache
    private final ConcurrentHashMap<URL, ProtectionDomain> domains = new ConcurrentHashMap<>();
    private final AtomicInteger defined = new AtomicInteger();
    private final AtomicInteger rewritten = new AtomicInteger();
    private final AtomicInteger cached = new AtomicInteger();
    private final ClassFileCache.Classes cache;

    /**
     * A loader for {@code classPath}; {@code host} provides the shared API packages; the
     * program's class files are kept in and taken from {@code cache}.
     */
    public ProgramClassLoader(String name, ProgramClassPath classPath, ProgramContext context, ClassLoader host,
                              ClassFileCache cache) {
        // unnamed, as java's application loader prints: stack traces show no loader prefix
        super(null, classPath.urls(), ClassLoader.getPlatformClassLoader());
        this.displayName = Objects.requireNonNull(name, "name");
        this.classPath = Objects.requireNonNull(classPath, "classPath");
        this.context = Objects.requireNonNull(context, "context");
        this.host = Objects.requireNonNull(host, "host");
        this.cache = cache.classesOf(classPath.fingerprint());
    }

    private static Set<String> appLoaderJdkPackages() {
        Set<String> packages = new HashSet<>();
        ClassLoader app = ClassLoader.getSystemClassLoader();
        for (Module m : ModuleLayer.boot().modules()) {
            if (m.getClassLoader() == app) {
                packages.addAll(m.getPackages());
            }
        }
        return Set.copyOf(packages);
    }

    @Override
    public String toString() {
        return displayName;
    }

    @Override
    public ProgramContext programContext() {
        return context;
    }

    /** The number of classes this loader defined, and how many of them were rewritten. */
    public int definedClasses() {
        return defined.get();
    }

    public int rewrittenClasses() {
        return rewritten.get();
    }

    /** How many of the defined classes came from the host's {@link ClassFileCache}. */
    public int cachedClasses() {
        return cached.get();
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = delegate(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private Class<?> delegate(String name) throws ClassNotFoundException {
        for (String shared : SHARED_PACKAGES) {
            if (name.startsWith(shared)) {
                return host.loadClass(name);
            }
        }
        try {
            return getParent().loadClass(name);
        } catch (ClassNotFoundException notInPlatform) {
            int dot = name.lastIndexOf('.');
            if (dot > 0 && APP_LOADER_JDK_PACKAGES.contains(name.substring(0, dot))) {
                return ClassLoader.getSystemClassLoader().loadClass(name);
            }
            try {
                return findClass(name);
            } catch (ClassNotFoundException notOwn) {
                for (String agent : AGENT_PACKAGES) {
                    if (name.startsWith(agent)) {
                        return ClassLoader.getSystemClassLoader().loadClass(name);
                    }
                }
                throw notOwn;
            }
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        ClassFileCache.Definition d = cache == null ? null : cache.get(name);
        if (d != null) {
            cached.incrementAndGet();
        } else {
            d = readAndRewrite(name);
            if (cache != null) {
                cache.put(name, d);
            }
        }
        if (d.rewritten()) {
            rewritten.incrementAndGet();
        }
        definePackageOf(name, d.location(), d.manifest());
        ProtectionDomain pd = domains.computeIfAbsent(d.location(),
                u -> new ProtectionDomain(new CodeSource(u, (Certificate[]) null), null, this, null));
        Class<?> c = defineClass(name, d.bytes(), 0, d.bytes().length, pd);
        defined.incrementAndGet();
        return c;
    }

    private ClassFileCache.Definition readAndRewrite(String name) throws ClassNotFoundException {
        ProgramClassPath.Found found;
        try {
            found = classPath.find(name.replace('.', '/') + ".class");
        } catch (IOException e) {
            throw new ClassNotFoundException(name + " (reading the class path failed: " + e.getMessage() + ")", e);
        }
        if (found == null) {
            throw new ClassNotFoundException(name);
        }
        try {
            SystemCallRewriter.Result r = rewriter().rewrite(found.bytes());
            return new ClassFileCache.Definition(r.bytes(), r.rewritten(), found.location(), found.manifest());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ClassFormatError("atlas-ulp: cannot rewrite " + name + " from " + found.location() + ": " + e.getMessage());
        }
    }

    /** The rewriter of this loader's classes, made on first use (a program whose classes are all cached needs none). */
    private SystemCallRewriter rewriter() {
        SystemCallRewriter r = rewriter;
        if (r == null) {
            synchronized (rewriterLock) {
                r = rewriter;
                if (r == null) {
                    r = new SystemCallRewriter(ClassHierarchyResolver.ofResourceParsing(this)
                            .orElse(ClassHierarchyResolver.defaultResolver()).cached());
                    rewriter = r;
                }
            }
        }
        return r;
    }

    private void definePackageOf(String className, URL location, Manifest mf) {
        int dot = className.lastIndexOf('.');
        if (dot <= 0) {
            return;
        }
        String pkg = className.substring(0, dot);
        if (getDefinedPackage(pkg) != null) {
            return;
        }
        try {
            if (mf != null) {
                definePackage(pkg, mf, location);
            } else {
                definePackage(pkg, null, null, null, null, null, null, null);
            }
        } catch (IllegalArgumentException raced) {
            // defined meanwhile by another thread loading a class of the same package
            if (getDefinedPackage(pkg) == null) {
                throw raced;
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            classPath.close();
        }
    }

    /** Closes without throwing (the program has ended; a failure is reported by the caller's log). */
    public void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the class path of " + displayName, e);
        }
    }
}
