package dev.atlas.core;

import java.util.Objects;

/**
 * Names one area in which a {@link View} may diverge from its parent: a memory range, a
 * method table, a protection setting. Other modules define keys; the core only stores
 * the values and resolves inheritance.
 *
 * <p>Keys compare by identity, like {@link ScopedValue}s: create each one once, as a
 * {@code static final} constant.
 *
 * {@snippet class=dev.atlas.core.snippets.CoreSnippets region=view-key}
 *
 * @param <T> the type of the per-view value
 */
public final class ViewKey<T> {
    private final String name;
    private final Class<T> type;

    private ViewKey(String name, Class<T> type) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a view key needs a non-blank name");
        }
    }

    /** Creates a new key; two calls with the same name give two distinct keys. */
    public static <T> ViewKey<T> of(String name, Class<T> type) {
        return new ViewKey<>(name, type);
    }

    public String name() {
        return name;
    }

    public Class<T> type() {
        return type;
    }

    T cast(Object value) {
        return type.cast(value);
    }

    @Override
    public String toString() {
        return "ViewKey[" + name + ": " + type.getSimpleName() + "]";
    }
}
