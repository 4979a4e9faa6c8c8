package dev.atlas.patch.build;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Options of {@link PatchBuilder#diff}: which classes to consider and the description.
 *
 * {@snippet class=dev.atlas.patch.snippets.BuilderSnippets region=build-options}
 *
 * <p>Patterns are dotted package names: {@code com.acme} and {@code com.acme.*} match the
 * classes of that package, {@code com.acme.**} also those of its subpackages, and a full
 * class name matches that class and its nested classes. No includes means every class.
 *
 * @param includes patterns of classes to consider (empty: all)
 * @param excludes patterns of classes to leave out
 * @param description text stored in the patch
 * @param classpath jars or class directories the builds depend on (libraries): read only to
 *                  resolve supertypes and inherited members, never diffed
 * @param rebuildObjects instance methods, {@code com.acme.Cache#reset()}, that reset an object's state
 *                  from scratch: in the new view each is re-run once on every object of its class made
 *                  before the apply, at its first use there (the operator's claim that re-running it is
 *                  sound; {@code ObjectRebuilds} in the patch format). The builder refuses one that names no
 *                  such method, a static one, one with parameters, or one of a class the patch does not change
 * @param deserializedDefaults serializable classes, {@code com.acme.Entry}, whose fields the patch adds or
 *                  retypes are accepted anyway: the operator's statement that objects of the class deserialized
 *                  in the new view may have the default value in those fields (what {@code SerializedAddedFields}
 *                  otherwise refuses); each accepted field is reported in the patch as not carried
 */
public record BuildOptions(List<String> includes, List<String> excludes, String description, List<Path> classpath,
                           List<String> rebuildObjects, List<String> deserializedDefaults) {
    public BuildOptions {
        includes = List.copyOf(includes);
        excludes = List.copyOf(excludes);
        Objects.requireNonNull(description, "description");
        classpath = List.copyOf(classpath);
        rebuildObjects = List.copyOf(rebuildObjects);
        deserializedDefaults = List.copyOf(deserializedDefaults);
        for (String c : deserializedDefaults) {
            if (c.isBlank() || c.contains("/") || c.contains("*") || c.startsWith(".") || c.endsWith(".")) {
                throw new IllegalArgumentException("deserialized-defaults class '" + c
                        + "' is not a dotted class name like com.acme.Entry");
            }
        }
        for (String p : includes) {
            check(p);
        }
        for (String p : excludes) {
            check(p);
        }
        for (String r : rebuildObjects) {
            RebuiltObjects.Request.parse(r);
        }
    }

    /** Options that rebuild no objects. */
    public BuildOptions(List<String> includes, List<String> excludes, String description, List<Path> classpath) {
        this(includes, excludes, description, classpath, List.of(), List.of());
    }

    private static void check(String p) {
        if (p.isBlank() || p.contains("/") || p.startsWith(".")) {
            throw new IllegalArgumentException("pattern '" + p + "' is not a dotted package or class name like com.acme.**");
        }
    }

    /** Options without a library classpath. */
    public BuildOptions(List<String> includes, List<String> excludes, String description) {
        this(includes, excludes, description, List.of());
    }

    /** Every class, no description, no libraries. */
    public static BuildOptions defaults() {
        return new BuildOptions(List.of(), List.of(), "");
    }

    public BuildOptions withIncludes(List<String> patterns) {
        return new BuildOptions(patterns, excludes, description, classpath, rebuildObjects, deserializedDefaults);
    }

    public BuildOptions withExcludes(List<String> patterns) {
        return new BuildOptions(includes, patterns, description, classpath, rebuildObjects, deserializedDefaults);
    }

    public BuildOptions withDescription(String text) {
        return new BuildOptions(includes, excludes, text, classpath, rebuildObjects, deserializedDefaults);
    }

    public BuildOptions withClasspath(List<Path> libraries) {
        return new BuildOptions(includes, excludes, description, libraries, rebuildObjects, deserializedDefaults);
    }

    /**
     * These options with {@code methods} ({@code com.acme.Cache#reset()}) re-run on the objects of their
     * classes made before the apply (see {@link #rebuildObjects()}).
     *
     * @throws IllegalArgumentException if one is not of the form {@code pkg.Class#method()}
     */
    public BuildOptions withRebuildObjects(List<String> methods) {
        return new BuildOptions(includes, excludes, description, classpath, methods, deserializedDefaults);
    }

    /**
     * These options accepting, for each of {@code classes} ({@code com.acme.Entry}), that objects deserialized
     * in the new view have the default value in the fields the patch adds to or retypes in the class (see
     * {@link #deserializedDefaults()}).
     *
     * @throws IllegalArgumentException if one is not a dotted class name
     */
    public BuildOptions withDeserializedDefaults(List<String> classes) {
        return new BuildOptions(includes, excludes, description, classpath, rebuildObjects, classes);
    }

    /** Whether the operator accepted default values in added fields of deserialized objects of this class. */
    boolean acceptsDeserializedDefaults(String internalName) {
        return deserializedDefaults.contains(internalName.replace('/', '.'));
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
