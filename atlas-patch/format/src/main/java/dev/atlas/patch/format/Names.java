package dev.atlas.patch.format;

import java.util.Objects;

/** Validation of JVM names in the patch model. */
final class Names {
    private Names() {
    }

    static void requireInternalName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() || name.startsWith("/") || name.endsWith("/") || name.contains("//")
                || containsAny(name, ".;[")) {
            throw new IllegalArgumentException(what + " '" + name + "' is not an internal class name like com/acme/Foo");
        }
    }

    static void requireMemberName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() || containsAny(name, ".;[/")) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a valid member name");
        }
    }

    /** True if {@code name} holds one of {@code chars}, a space or a control character (a plain loop: see PatchFile). */
    private static boolean containsAny(String name, String chars) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || chars.indexOf(c) >= 0) {
                return true;
            }
        }
        return false;
    }

    static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash);
    }
}
