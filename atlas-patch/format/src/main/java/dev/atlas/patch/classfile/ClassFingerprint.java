package dev.atlas.patch.classfile;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.ExceptionsAttribute;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The identity of a class's shape and code, independent of how its bytes are laid out. A
 * patch records the fingerprint of every class it expects, so it never applies to a
 * different build; the agent computes it on the bytes the JVM hands it at load time and
 * at retransformation (HotSpot reconstitutes those with a different constant pool).
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=class-fingerprint}
 *
 * <p>Implementation notes: the hex SHA-256 of a canonical text: name, access flags,
 * superclass, interfaces (in order), fields (flags, name, descriptor) and methods (flags,
 * name, descriptor, declared exceptions, {@link CanonicalCode canonical code}), fields and
 * methods sorted by name and descriptor. Debug attributes (line numbers, local variable
 * tables, source file, stack maps, method parameters) and annotations do not count.
 * Stateless and thread-safe.
 */
public final class ClassFingerprint {
    private ClassFingerprint() {
    }

    /**
     * The fingerprint of a class file.
     *
     * @throws IllegalArgumentException if {@code classBytes} is not a class file
     */
    public static String of(byte[] classBytes) {
        Objects.requireNonNull(classBytes, "classBytes");
        try {
            // parsing is lazy: damage may only show while the canonical text is made
            return sha256(canonicalText(ClassFile.of().parse(classBytes)));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a class file (" + classBytes.length + " bytes): " + e.getMessage(), e);
        }
    }

    /** The canonical text the fingerprint hashes (useful to see why two fingerprints differ). */
    public static String canonicalText(ClassModel model) {
        CanonicalCode canon = CanonicalCode.plain();
        StringBuilder sb = new StringBuilder();
        sb.append("class ").append(model.thisClass().asInternalName())
                .append(" flags ").append(model.flags().flagsMask())
                .append(" super ").append(model.superclass().map(c -> c.asInternalName()).orElse("-"))
                .append(" interfaces");
        model.interfaces().forEach(i -> sb.append(' ').append(i.asInternalName()));
        sb.append('\n');
        List<FieldModel> fields = model.fields().stream()
                .sorted(Comparator.comparing((FieldModel f) -> f.fieldName().stringValue())
                        .thenComparing(f -> f.fieldType().stringValue()))
                .toList();
        for (FieldModel f : fields) {
            sb.append("field ").append(f.flags().flagsMask()).append(' ').append(f.fieldName().stringValue())
                    .append(' ').append(f.fieldType().stringValue()).append('\n');
        }
        List<MethodModel> methods = model.methods().stream()
                .sorted(Comparator.comparing((MethodModel m) -> m.methodName().stringValue())
                        .thenComparing(m -> m.methodType().stringValue()))
                .toList();
        for (MethodModel m : methods) {
            sb.append("method ").append(m.flags().flagsMask()).append(' ').append(m.methodName().stringValue())
                    .append(' ').append(m.methodType().stringValue()).append(" throws");
            m.findAttribute(java.lang.classfile.Attributes.exceptions())
                    .map(ExceptionsAttribute::exceptions).orElse(List.of())
                    .forEach(e -> sb.append(' ').append(e.asInternalName()));
            sb.append('\n');
            m.code().ifPresent(code -> canon.render(code).forEach(line -> sb.append("  ").append(line).append('\n')));
        }
        return sb.toString();
    }

    /** Hex SHA-256 of the UTF-8 bytes of {@code text}. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
