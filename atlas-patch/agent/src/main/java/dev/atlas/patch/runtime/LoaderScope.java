package dev.atlas.patch.runtime;

/**
 * Which class loaders' copies of a class a patch changes: every loader that loaded the class
 * ({@link #ALL}), or only the loader with a given name ({@link #named}). A class loaded by two
 * loaders is two classes, each with its own patchable methods (slots); a patch scoped to one
 * loader overrides only that loader's slots, so code of the other loaders runs as before in
 * every view, the patch's included. That is how one program of a host that runs many (each
 * program in its own loader, as {@code atlas-ulp} does) is patched alone.
 *
 * {@snippet class=dev.atlas.patch.snippets.AgentSnippets region=loader-scope}
 *
 * <p>A loader's name is {@link ClassLoader#getName()}, or for an unnamed loader its
 * {@code toString()} (an unnamed loader keeps stack traces free of a loader prefix, as
 * {@code atlas-ulp}'s program loaders are).
 *
 * @param name the loader's name, or null for every loader
 */
public record LoaderScope(String name) {
    /** Every loader that loaded a patched class. */
    public static final LoaderScope ALL = new LoaderScope(null);

    public LoaderScope {
        if (name != null && name.isBlank()) {
            throw new IllegalArgumentException("class loader name '" + name + "' is blank; expected a loader's name");
        }
    }

    /** Only the loader named {@code name}. */
    public static LoaderScope named(String name) {
        return new LoaderScope(java.util.Objects.requireNonNull(name, "name"));
    }

    /** Whether {@code loader} (null: the bootstrap loader) is in this scope. */
    public boolean includes(ClassLoader loader) {
        if (name == null) {
            return true;
        }
        return loader != null && name.equals(nameOf(loader));
    }

    /** The name a scope gives {@code loader}: its name, its {@code toString()} if unnamed, {@code <bootstrap>} for null. */
    public static String nameOf(ClassLoader loader) {
        if (loader == null) {
            return "<bootstrap>";
        }
        String n = loader.getName();
        return n != null ? n : loader.toString();
    }

    /** Whether a patch in this scope and one in {@code other} may change the same loader's classes. */
    public boolean overlaps(LoaderScope other) {
        return name == null || other.name == null || name.equals(other.name);
    }

    /** "" for every loader, else " in class loader 'NAME'" (for messages). */
    public String describe() {
        return name == null ? "" : " in class loader '" + name + "'";
    }
}
