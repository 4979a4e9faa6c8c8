package dev.atlas.patch.format;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The changes to one existing class.
 *
 * @param className internal name of the class
 * @param expectedFingerprint {@code ClassFingerprint} of the old class: the patch applies to nothing else
 * @param newFingerprint {@code ClassFingerprint} of the class in the new build
 * @param methods replaced and added methods
 * @param addedFields new fields, kept as shadow fields by the runtime
 * @param bodyClass the hidden class holding the new code (named {@code <className>$$AtlasPatch$<id8>}),
 *                  or null if only fields without initialisers change
 * @param transferHook null, or the name of a static {@code ()V} method of the body class run once at apply
 */
public record ClassPatch(String className, String expectedFingerprint, String newFingerprint,
                         List<MethodChange> methods, List<FieldAddition> addedFields, byte[] bodyClass,
                         String transferHook) {
    public ClassPatch {
        Names.requireInternalName(className, "className");
        requireFingerprint(expectedFingerprint, "expectedFingerprint");
        requireFingerprint(newFingerprint, "newFingerprint");
        methods = List.copyOf(methods);
        addedFields = List.copyOf(addedFields);
        bodyClass = bodyClass == null ? null : bodyClass.clone();
        Set<String> seen = new HashSet<>();
        for (MethodChange m : methods) {
            if (!seen.add(m.name() + m.descriptor())) {
                throw new IllegalArgumentException("method " + m.name() + m.descriptor() + " of " + className + " appears twice");
            }
        }
        for (FieldAddition f : addedFields) {
            if (!seen.add(f.name())) {
                throw new IllegalArgumentException("field " + f.name() + " of " + className + " appears twice");
            }
        }
        boolean needsBody = !methods.isEmpty() || transferHook != null;
        for (FieldAddition f : addedFields) {
            needsBody |= f.initializerMethod() != null;
        }
        if (needsBody && bodyClass == null) {
            throw new IllegalArgumentException("class " + className + " has new code but no body class");
        }
    }

    private static void requireFingerprint(String fp, String what) {
        Objects.requireNonNull(fp, what);
        if (!PatchIds.isLowerHex(fp, 64)) {
            throw new IllegalArgumentException(what + " '" + fp + "' is not 64 lowercase hex digits");
        }
    }

    /** A copy of the body class bytes, or null. */
    @Override
    public byte[] bodyClass() {
        return bodyClass == null ? null : bodyClass.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassPatch c && className.equals(c.className)
                && expectedFingerprint.equals(c.expectedFingerprint) && newFingerprint.equals(c.newFingerprint)
                && methods.equals(c.methods) && addedFields.equals(c.addedFields)
                && Arrays.equals(bodyClass, c.bodyClass) && Objects.equals(transferHook, c.transferHook);
    }

    @Override
    public int hashCode() {
        return Objects.hash(className, expectedFingerprint, newFingerprint, methods, addedFields,
                Arrays.hashCode(bodyClass), transferHook);
    }

    @Override
    public String toString() {
        return "ClassPatch[" + className + ", expects " + expectedFingerprint.substring(0, 12) + ", methods=" + methods
                + ", addedFields=" + addedFields + ", body=" + (bodyClass == null ? "none" : bodyClass.length + " bytes")
                + ", transferHook=" + transferHook + "]";
    }
}
