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
    /**
     * What code outside a patch sees of the fields the new release adds (said by {@code atlas
     * patch build}, {@code inspect} and {@code apply} when the patch adds any). A loaded class
     * never gets a field, and no one but the patch's own links and the agent's reads of added
     * statics knows where the patch keeps it.
     */
    public static final String ADDED_FIELDS_REACH = "Added fields are reachable from outside the patch only through "
            + "reads of an added static field in classes loaded after the apply; not instance fields, not writes, and "
            + "no added field through reflection (getDeclaredField(s), Field.get, FieldUtils.readField), VarHandles, "
            + "method handles or field updaters looked up by name, nor serialization, which writes and reads the loaded "
            + "class's fields only (NoSuchFieldError/NoSuchFieldException there, as on the old release; a test that "
            + "reads a private field the new release adds by reflection fails on the patched JVM).";

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

    /**
     * Whether the field is one the new release declares under this name, not one the builder
     * adds for its own use (a view copy {@code atlas$view$F}, a retyped field's
     * {@code F$atlas$retyped}).
     */
    public boolean declaredByRelease() {
        return !name.contains("atlas$");
    }

    /** {@code "init$" + name}. */
    public static String initializerNameFor(String name) {
        return "init$" + name;
    }
}
