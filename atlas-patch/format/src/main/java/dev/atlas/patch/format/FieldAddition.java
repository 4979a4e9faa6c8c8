package dev.atlas.patch.format;

import java.lang.constant.ClassDesc;
import java.util.Objects;

/**
 * A field the new build adds to an existing class. The runtime keeps it as a shadow field
 * (side storage keyed by object identity for an instance field), initialised lazily.
 *
 * @param name field name
 * @param descriptor JVM field descriptor
 * @param isStatic whether the field is static
 * @param initializerMethod null (the default value), or {@code "init$" + name}: a static method of
 *                          the body class, {@code (C)T} for an instance field, {@code ()T} for a static one
 */
public record FieldAddition(String name, String descriptor, boolean isStatic, String initializerMethod) {
    public FieldAddition {
        Names.requireMemberName(name, "field name");
        Objects.requireNonNull(descriptor, "descriptor");
        try {
            ClassDesc.ofDescriptor(descriptor);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) { // "(" or "": StringIndexOutOfBounds
            throw new IllegalArgumentException("'" + descriptor + "' is not a field descriptor", e);
        }
        if (initializerMethod != null && !initializerMethod.equals(initializerNameFor(name))) {
            throw new IllegalArgumentException("initialiser of field " + name + " is '" + initializerMethod
                    + "', expected '" + initializerNameFor(name) + "'");
        }
    }

    /** {@code "init$" + name}. */
    public static String initializerNameFor(String name) {
        return "init$" + name;
    }
}
