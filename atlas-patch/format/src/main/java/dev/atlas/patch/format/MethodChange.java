package dev.atlas.patch.format;

import java.lang.constant.MethodTypeDesc;
import java.util.Objects;

/**
 * One replaced or added method of a patched class; its new code is the static method
 * {@code bodyMethodName} of the body class ({@code "replaced$" + name} or {@code "added$" + name}),
 * which takes the receiver first for an instance method.
 *
 * @param kind replaced or added
 * @param name method name; {@code <init>} only for a replaced constructor, never {@code <clinit>}
 * @param descriptor JVM method descriptor of the method in the patched class
 * @param isStatic whether the method is static
 * @param bodyMethodName name of the static method of the body class holding the new code
 * @param initCall null, or for a constructor that runs through the re-routing guards of its
 *        class's constructors (a new constructor, or one whose {@code super(..)}/{@code this(..)} call now
 *        goes to another constructor): that call, {@code "super"} or {@code "this"} followed by
 *        the called constructor's descriptor, e.g. {@code "super(Ljava/lang/String;)V"}; the body
 *        class then also holds {@link #initArgsNameFor the call's arguments method}
 */
public record MethodChange(Kind kind, String name, String descriptor, boolean isStatic, String bodyMethodName,
                           String initCall) {
    /**
     * What code outside a patch sees of the methods the patch adds (said by {@code atlas patch
     * inspect} and {@code apply}).
     */
    public static final String ADDED_METHODS_REACH = "Added methods are reachable from outside the patch only through "
            + "direct calls in classes loaded after the apply and, for overrides, through calls of the overridden method "
            + "(a method added to an interface: calls select on the receiver's class); not through reflection (getMethod, "
            + "also on an interface), method handles or method references, nor from classes loaded before the apply "
            + "(NoSuchMethodError/NoSuchMethodException there, as on the old release).";

    /** What happens to the method. */
    public enum Kind {
        /** The method exists in the old class and gets a new body. */
        REPLACED,
        /** The method only exists in the new build. */
        ADDED
    }

    public MethodChange {
        Objects.requireNonNull(kind, "kind");
        Names.requireMemberName(name, "method name");
        if (name.equals("<clinit>") || name.equals("<init>") && kind != Kind.REPLACED && initCall == null) {
            throw new IllegalArgumentException("a patch cannot " + (kind == Kind.ADDED ? "add " : "change ") + name
                    + " as a method");
        }
        Objects.requireNonNull(descriptor, "descriptor");
        try {
            MethodTypeDesc.ofDescriptor(descriptor);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) { // "(" or "": StringIndexOutOfBounds
            throw new IllegalArgumentException("'" + descriptor + "' is not a method descriptor", e);
        }
        String expected = bodyMethodNameFor(kind, name);
        if (!expected.equals(bodyMethodName)) {
            throw new IllegalArgumentException("body method of " + kind + " " + name + " is '" + bodyMethodName
                    + "', expected '" + expected + "'");
        }
        if (initCall != null) {
            if (!name.equals("<init>") || isStatic) {
                throw new IllegalArgumentException("a constructor call '" + initCall + "' given for " + name
                        + ": only constructors have one");
            }
            String d = initCall.startsWith("super(") ? initCall.substring(5) : initCall.startsWith("this(") ? initCall.substring(4) : null;
            boolean valid = d != null && d.endsWith(")V");
            if (valid) {
                try {
                    MethodTypeDesc.ofDescriptor(d);
                } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                    valid = false;
                }
            }
            if (!valid) {
                throw new IllegalArgumentException("constructor call '" + initCall
                        + "': expected super or this followed by a constructor descriptor, e.g. super()V");
            }
        }
    }

    /** A method change without a constructor call ({@code initCall} null). */
    public MethodChange(Kind kind, String name, String descriptor, boolean isStatic, String bodyMethodName) {
        this(kind, name, descriptor, isStatic, bodyMethodName, null);
    }

    /**
     * The static method of the body class that computes the {@code super(..)}/{@code this(..)}
     * arguments of a constructor with an {@code initCall}: {@code bodyMethodName + "$call"}, of
     * descriptor {@code ConstructorCall.argumentsDescriptor} (a placeholder, the constructor's
     * parameters; the call's arguments boxed in an {@code Object[]}).
     */
    public static String initArgsNameFor(String bodyMethodName) {
        return bodyMethodName + "$call";
    }

    /**
     * {@code "replaced$" + name} or {@code "added$" + name}; a constructor's new body (the code
     * after its {@code super(..)}/{@code this(..)} call) is {@code "replaced$$init"}.
     */
    public static String bodyMethodNameFor(Kind kind, String name) {
        return (kind == Kind.REPLACED ? "replaced$" : "added$") + (name.equals("<init>") ? "$init" : name);
    }

    /** A change with the conventional body method name. */
    public static MethodChange of(Kind kind, String name, String descriptor, boolean isStatic) {
        return new MethodChange(kind, name, descriptor, isStatic, bodyMethodNameFor(kind, name));
    }
}
