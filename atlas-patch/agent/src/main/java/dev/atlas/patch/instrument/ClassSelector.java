package dev.atlas.patch.instrument;

import java.util.ArrayList;
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
 * <p>A selector is a union of include/exclude pairs: one from the agent's options, and one
 * more for each time the selection was widened ({@link #widenedBy}: {@code atlas attach
 * --include} on an installed agent, or an apply whose patch changes classes the selection
 * left out). Each pair's excludes apply to its own includes only.
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

    /** Nothing selected: every part of {@link #widenedBy} selects nothing on its own. */
    private static final ClassSelector NONE = new ClassSelector(List.<Part>of());

    /**
     * One include/exclude pair: selects a class matching one of its includes (every class if it has
     * none) and none of its excludes.
     */
    private record Part(List<String> includes, List<String> excludes) {
        boolean selects(String dotted) {
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

        @Override
        public String toString() {
            return "include " + (includes.isEmpty() ? "[every application class]" : includes) + ", exclude " + excludes;
        }
    }

    private final List<Part> parts;

    /**
     * @param includes patterns of classes to make patchable (empty: every application class)
     * @param excludes patterns of classes to leave alone
     * @throws IllegalArgumentException naming a malformed pattern
     */
    public ClassSelector(List<String> includes, List<String> excludes) {
        this(List.of(new Part(List.copyOf(includes).stream().map(ClassSelector::check).toList(),
                List.copyOf(excludes).stream().map(ClassSelector::check).toList())));
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

    private ClassSelector(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** The selector that selects no class (request boundaries are still woven: {@link #boundaryEligible}). */
    public static ClassSelector none() {
        return NONE;
    }

    /**
     * The union of this selector and {@code more}: a class either selects, each with its own
     * excludes (the excludes of {@code more} never deselect a class this selector selects). A
     * selection only ever grows this way: a class made patchable stays patchable.
     *
     * @return this selector if {@code more} adds no pattern pair it does not already have
     */
    public ClassSelector widenedBy(ClassSelector more) {
        List<Part> all = new ArrayList<>(parts);
        for (Part p : more.parts) {
            if (!all.contains(p)) {
                all.add(p);
            }
        }
        return all.size() == parts.size() ? this : new ClassSelector(all);
    }

    /**
     * Whether a part of this selector selects every application class (an empty include list or
     * {@code **}) and excludes none: no widening can add a class to it.
     */
    public boolean selectsEveryClass() {
        for (Part p : parts) {
            if ((p.includes.isEmpty() || p.includes.contains("**")) && p.excludes.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Whether an exclude pattern of this selector names the class (internal name): it is to be left alone. */
    public boolean excludes(String internalName) {
        String dotted = internalName.replace('/', '.');
        for (Part p : parts) {
            for (String e : p.excludes) {
                if (matches(e, dotted)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the class (internal name) loaded by {@code loader} is made patchable. */
    public boolean selects(String internalName, ClassLoader loader) {
        return selectable(internalName, loader) && partSelects(internalName);
    }

    /**
     * Whether this selector's patterns select the class name (internal), whatever its loader; the
     * JDK's, Atlas's and generated proxies are never selected.
     */
    public boolean selectsName(String internalName) {
        return selectable(internalName, ClassLoader.getSystemClassLoader()) && partSelects(internalName);
    }

    private boolean partSelects(String internalName) {
        String dotted = internalName.replace('/', '.');
        for (Part p : parts) {
            if (p.selects(dotted)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether some pattern could select the class: not the JDK's nor Atlas's, not of the
     * bootstrap or platform loader, not a module or package descriptor, not a generated proxy.
     */
    public static boolean selectable(String internalName, ClassLoader loader) {
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
        return true;
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

    /** E.g. {@code include [com.acme.**], exclude []}; the parts of a widened selector joined by {@code " + "}. */
    @Override
    public String toString() {
        if (parts.isEmpty()) {
            return "include [no class]";
        }
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            sb.append(sb.isEmpty() ? "" : " + ").append(p);
        }
        return sb.toString();
    }
}
