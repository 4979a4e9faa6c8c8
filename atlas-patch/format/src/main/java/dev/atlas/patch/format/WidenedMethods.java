package dev.atlas.patch.format;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.attribute.ConstantValueAttribute;
import java.lang.classfile.constantpool.StringEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Methods and constructors of a changed class whose access the new release widens
 * ({@code private -> public}, ...): the running member keeps its access (a loaded class is never
 * redefined), and the agent links the calls that code loaded after the apply makes of them with
 * the new access in the views that have the patch (as it links calls of methods a patch adds).
 * The builder records them in the body class of their class as the constant {@value #FIELD}:
 * one member per line, {@code name + descriptor} ({@code <init>} for a constructor), then a space
 * and {@code S} for a static method or {@code I} for an instance method or constructor.
 *
 * <p>Stateless; thread-safe. Runs in the agent at the patch instant: plain loops, no regex.
 */
public final class WidenedMethods {
    /** Constant {@code String} field of a body class: the widened members, one per line. */
    public static final String FIELD = "atlas$widenedMethods";

    private WidenedMethods() {
    }

    /** One widened member: {@code name}, {@code descriptor}, whether it is static. */
    public record Member(String name, String descriptor, boolean isStatic) {
        /** Its line in {@value #FIELD}. */
        public String line() {
            return name + descriptor + (isStatic ? " S" : " I");
        }
    }

    /**
     * The widened members that {@code c}'s body class names, in order; empty if none.
     *
     * @throws IllegalArgumentException if the constant has a line of another form
     */
    public static List<Member> of(ClassPatch c) {
        List<Member> out = new ArrayList<>();
        if (c.bodyClass() == null) {
            return out;
        }
        String text = null;
        ClassModel m = ClassFile.of().parse(c.bodyClass());
        for (FieldModel f : m.fields()) {
            if (f.fieldName().equalsString(FIELD)
                    && f.findAttribute(Attributes.constantValue()).orElse(null) instanceof ConstantValueAttribute cv
                    && cv.constant() instanceof StringEntry s) {
                text = s.stringValue();
            }
        }
        if (text == null) {
            return out;
        }
        int from = 0;
        while (from < text.length()) {
            int end = text.indexOf('\n', from);
            String line = text.substring(from, end < 0 ? text.length() : end);
            from = end < 0 ? text.length() : end + 1;
            if (line.isEmpty()) {
                continue;
            }
            int paren = line.indexOf('(');
            int space = line.lastIndexOf(' ');
            if (paren <= 0 || space < paren || space != line.length() - 2
                    || line.charAt(space + 1) != 'S' && line.charAt(space + 1) != 'I') {
                throw new IllegalArgumentException("constant " + FIELD + " of the body class of " + c.className()
                        + " has line '" + line + "', expected 'name(descriptor)R S' or '... I'");
            }
            out.add(new Member(line.substring(0, paren), line.substring(paren, space), line.charAt(space + 1) == 'S'));
        }
        return out;
    }
}
