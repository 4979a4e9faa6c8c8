package dev.atlas.patch.format;

import java.util.Objects;

/** Validation of JVM names in the patch model. */
final class Names {
    private Names() {
    }

    static void requireInternalName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() || name.startsWith("/") || name.endsWith("/") || name.contains("//")
                || name.chars().anyMatch(c -> c == '.' || c == ';' || c == '[' || c <= ' ')) {
            throw new IllegalArgumentException(what + " '" + name + "' is not an internal class name like com/acme/Foo");
        }
    }

    static void requireMemberName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() || name.chars().anyMatch(c -> c == '.' || c == ';' || c == '[' || c == '/' || c <= ' ')) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a valid member name");
        }
    }

    static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash);
    }
}
