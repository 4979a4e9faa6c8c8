package dev.atlas.patch.build;

import java.util.List;
import java.util.Objects;

/**
 * Options of {@link PatchBuilder#diff}: which classes to consider and the description.
 *
 * {@snippet :
 * BuildOptions opts = BuildOptions.defaults()
 *         .withIncludes(List.of("com.acme.**"))
 *         .withExcludes(List.of("com.acme.generated.*"))
 *         .withDescription("fix the rounding in Invoice.total()");
 * }
 *
 * <p>Patterns are dotted package names: {@code com.acme} and {@code com.acme.*} match the
 * classes of that package, {@code com.acme.**} also those of its subpackages, and a full
 * class name matches that class and its nested classes. No includes means every class.
 *
 * @param includes patterns of classes to consider (empty: all)
 * @param excludes patterns of classes to leave out
 * @param description text stored in the patch
 */
public record BuildOptions(List<String> includes, List<String> excludes, String description) {
    public BuildOptions {
        includes = List.copyOf(includes);
        excludes = List.copyOf(excludes);
        Objects.requireNonNull(description, "description");
        for (String p : includes) {
            check(p);
        }
        for (String p : excludes) {
            check(p);
        }
    }

    private static void check(String p) {
        if (p.isBlank() || p.contains("/") || p.startsWith(".")) {
            throw new IllegalArgumentException("pattern '" + p + "' is not a dotted package or class name like com.acme.**");
        }
    }

    /** Every class, no description. */
    public static BuildOptions defaults() {
        return new BuildOptions(List.of(), List.of(), "");
    }

    public BuildOptions withIncludes(List<String> patterns) {
        return new BuildOptions(patterns, excludes, description);
    }

    public BuildOptions withExcludes(List<String> patterns) {
        return new BuildOptions(includes, patterns, description);
    }

    public BuildOptions withDescription(String text) {
        return new BuildOptions(includes, excludes, text);
    }

    /** Whether the class with this internal name is considered. */
    public boolean accepts(String internalName) {
        String dotted = internalName.replace('/', '.');
        return (includes.isEmpty() || includes.stream().anyMatch(p -> matches(p, dotted)))
                && excludes.stream().noneMatch(p -> matches(p, dotted));
    }

    static boolean matches(String pattern, String className) {
        int dot = className.lastIndexOf('.');
        String pkg = dot < 0 ? "" : className.substring(0, dot);
        if (pattern.endsWith(".**")) {
            String base = pattern.substring(0, pattern.length() - 3);
            return pkg.equals(base) || pkg.startsWith(base + ".");
        }
        if (pattern.endsWith(".*")) {
            return pkg.equals(pattern.substring(0, pattern.length() - 2));
        }
        return pkg.equals(pattern) || className.equals(pattern) || className.startsWith(pattern + "$");
    }
}
