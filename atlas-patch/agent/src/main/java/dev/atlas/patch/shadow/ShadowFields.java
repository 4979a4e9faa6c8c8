package dev.atlas.patch.shadow;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shadow fields of one set of code views, by owner class, name and descriptor. A field
 * keeps its storage as long as they live: a patch rolled back and applied again (or a later
 * patch that adds the same field) finds the values where they were.
 *
 * <p>Threading: shared.
 */
public final class ShadowFields {
    /** An empty set of fields (each code views owns one). */
    public ShadowFields() {}

    private record Key(ClassLoader loader, String owner, String name, String descriptor) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.loader == loader && k.owner.equals(owner) && k.name.equals(name)
                    && k.descriptor.equals(descriptor);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(loader) * 31 + owner.hashCode() * 17 + name.hashCode() + descriptor.hashCode();
        }
    }

    private final Map<Key, ShadowField> fields = new ConcurrentHashMap<>();

    /**
     * The field, created on first definition.
     *
     * @param initializer (C self)T or ()T, or null for the type's default value
     * @throws IllegalArgumentException if a field of that name exists with another static-ness
     */
    public ShadowField define(ClassLoader loader, String owner, String name, String descriptor, boolean isStatic,
                              MethodHandle initializer) {
        Class<?> type = MethodType.fromMethodDescriptorString("()" + descriptor, loader).returnType();
        MethodHandle init = initializer == null ? null
                : initializer.asType(isStatic ? MethodType.methodType(Object.class)
                        : MethodType.methodType(Object.class, Object.class));
        ShadowField f = fields.computeIfAbsent(new Key(loader, owner, name, descriptor),
                k -> new ShadowField(owner, name, descriptor, isStatic, type, init));
        if (f.isStatic() != isStatic) {
            throw new IllegalArgumentException("shadow field " + f.describe() + " already exists "
                    + (f.isStatic() ? "as a static" : "as an instance") + " field");
        }
        f.offerInitializer(init);
        return f;
    }

    /** The field, or null if no patch defined it. */
    public ShadowField find(ClassLoader loader, String owner, String name, String descriptor) {
        return fields.get(new Key(loader, owner, name, descriptor));
    }

    public List<ShadowField> all() {
        return List.copyOf(fields.values());
    }

    /** A handle reading the field: (C)T for an instance field, ()T for a static one. */
    public static MethodHandle getter(ShadowField f, MethodType type) {
        return (f.isStatic() ? ShadowField.GET_STATIC : ShadowField.GET).bindTo(f).asType(type);
    }

    /** A handle writing the field: (C,T)V for an instance field, (T)V for a static one. */
    public static MethodHandle setter(ShadowField f, MethodType type) {
        return (f.isStatic() ? ShadowField.PUT_STATIC : ShadowField.PUT).bindTo(f).asType(type);
    }
}
