package dev.atlas.patch.instrument;

import java.util.List;
import java.util.Objects;

/**
 * Which classes the agent makes patchable: those matching an include pattern and no exclude
 * pattern, never the JDK's, never Atlas's own runtime, never a class of the bootstrap or
 * platform class loader.
 *
 * <p>Patterns use dotted names: {@code com.acme.Foo} (one class), {@code com.acme.*} (the
 * classes of one package), {@code com.acme.**} (a package and its subpackages), {@code **}
 * (every class). Nested classes follow their outer class ({@code com.acme.Foo} also selects
 * {@code com.acme.Foo$1}).
 *
 * <p>Threading: immutable.
 */
public final class ClassSelector {
    /**
     * Never made patchable: the JDK, Lincheck, and Atlas's own library code, by one prefix per
     * library root (every package of atlas-core, atlas-memory and the patch modules, present
     * and future), not a list of packages kept by hand.
     */
    private static final List<String> NEVER = List.of("java/", "javax/", "jdk/", "sun/", "com/sun/", "org/jetbrains/lincheck/",
            "dev/atlas/core/", "dev/atlas/memory/", "dev/atlas/patch/");

    /**
     * Never made patchable either: classes a framework generates at run time beside an application class (Spring's
     * CGLIB proxies, Hibernate's lazy proxies). They are in neither build, so no patch changes them; their methods
     * forward to the class they proxy, whose own methods are patchable (and {@code ProxyTargets} reaches the target
     * for methods a patch adds). Their selection only cost late attach time, and their generated constructors are
     * not instrumentable.
     */
    private static final List<String> GENERATED_PROXY_MARKERS = List.of("$$SpringCGLIB$$", "$$EnhancerBySpringCGLIB$$",
            "$$FastClassBySpringCGLIB$$", "$HibernateProxy$");

    private final List<String> includes;
    private final List<String> excludes;

    /**
     * @param includes patterns of classes to make patchable (empty: every application class)
     * @param excludes patterns of classes to leave alone
     * @throws IllegalArgumentException naming a malformed pattern
     */
    public ClassSelector(List<String> includes, List<String> excludes) {
        this.includes = List.copyOf(includes).stream().map(ClassSelector::check).toList();
        this.excludes = List.copyOf(excludes).stream().map(ClassSelector::check).toList();
    }

    private static String check(String p) {
        Objects.requireNonNull(p, "pattern");
        long stars = p.chars().filter(c -> c == '*').count();
        boolean ok = !p.isBlank() && !p.contains("/") && (stars == 0 || p.equals("**")
                || (stars == 2 && p.endsWith(".**")) || (stars == 1 && p.endsWith(".*")));
        if (!ok) {
            throw new IllegalArgumentException("class pattern '" + p + "': expected a class name (com.acme.Foo), "
                    + "a package (com.acme.*), a package tree (com.acme.**) or ** for every class");
        }
        return p;
    }

    /** Whether the class (internal name) loaded by {@code loader} is made patchable. */
    public boolean selects(String internalName, ClassLoader loader) {
        if (internalName == null || loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            return false;
        }
        for (String n : NEVER) {
            if (internalName.startsWith(n)) {
                return false;
            }
        }
        if (internalName.endsWith("module-info") || internalName.endsWith("package-info")) {
            return false;
        }
        for (String m : GENERATED_PROXY_MARKERS) {
            if (internalName.contains(m)) {
                return false;
            }
        }
        String dotted = internalName.replace('/', '.');
        for (String e : excludes) {
            if (matches(e, dotted)) {
                return false;
            }
        }
        if (includes.isEmpty()) {
            return true;
        }
        for (String i : includes) {
            if (matches(i, dotted)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether request boundaries may be woven into the class even though it is not selected:
     * any class of an application class loader (servers' own classes, {@code javax.servlet}
     * and {@code jakarta.servlet} included), never the JDK's, never Atlas's own.
     */
    public boolean boundaryEligible(String internalName, ClassLoader loader) {
        if (internalName == null || loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            return false;
        }
        for (String n : NEVER) {
            if (internalName.startsWith(n) && !n.equals("javax/")) {
                return false;
            }
        }
        return !internalName.startsWith("dev/atlas/");
    }

    static boolean matches(String pattern, String dotted) {
        if (pattern.equals("**")) {
            return true;
        }
        if (pattern.endsWith(".**")) {
            String pkg = pattern.substring(0, pattern.length() - 3);
            return dotted.startsWith(pkg + ".");
        }
        if (pattern.endsWith(".*")) {
            String pkg = pattern.substring(0, pattern.length() - 2);
            return dotted.startsWith(pkg + ".") && dotted.indexOf('.', pkg.length() + 1) < 0;
        }
        return dotted.equals(pattern) || dotted.startsWith(pattern + "$");
    }

    @Override
    public String toString() {
        return "include " + (includes.isEmpty() ? "[every application class]" : includes) + ", exclude " + excludes;
    }
}
