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
 * Objects created before the apply that the patch rebuilds: the operator named, at build time
 * ({@code atlas patch build --rebuild-objects C#m()}), an instance method of a changed class that
 * resets an object's state from scratch (commons-beanutils'
 * {@code PropertyUtilsBean.resetBeanIntrospectors()}, which its constructor calls), and in the new
 * view that method's new body runs once for every object made before the apply, at the first entry
 * of an instance method of the class (or of a subclass loaded at the apply) on it. The builder records the method
 * in the body class of its
 * class as the constant {@value #FIELD} ({@code name + descriptor}); the agent reads it when it
 * prepares the patch, and {@code inspect}, the {@code apply} reply and {@code atlas status} print
 * {@link #lines}.
 *
 * <p>Stateless; thread-safe. Runs in the agent's apply reply: plain loops, no regex.
 */
public final class ObjectRebuilds {
    /**
     * Constant {@code String} field of a body class: the name and descriptor of each method that rebuilds
     * objects, one per line, in the order they run.
     */
    public static final String FIELD = "atlas$rebuildObjects";

    private ObjectRebuilds() {
    }

    /** The methods ({@code name + descriptor}, one per line) that {@code c}'s body class names, or null. */
    public static String method(ClassPatch c) {
        if (c.bodyClass() == null) {
            return null;
        }
        ClassModel m = ClassFile.of().parse(c.bodyClass());
        for (FieldModel f : m.fields()) {
            if (f.fieldName().equalsString(FIELD)) {
                if (f.findAttribute(Attributes.constantValue()).orElse(null) instanceof ConstantValueAttribute cv
                        && cv.constant() instanceof StringEntry text) {
                    return text.stringValue();
                }
            }
        }
        return null;
    }

    /** One line per class of {@code patch} whose older objects the new view rebuilds. */
    public static List<String> lines(Patch patch) {
        List<String> out = new ArrayList<>();
        for (ClassPatch c : patch.classes()) {
            String m = method(c);
            if (m != null) {
                out.add(line(c.className(), m));
            }
        }
        return out;
    }

    /** What the new view does with the objects of {@code className} created before the apply. */
    public static String line(String className, String methods) {
        return className.replace('/', '.') + ": objects created before the apply: rebuilt at their first use in the new view by "
                + "re-running " + names(methods) + " (the new code, once per object, at the first entry of an instance method "
                + "the class or a loaded subclass declares, before that call goes on; objects created in the new view are not "
                + "rebuilt); the object "
                + "is shared, so old-view threads see the rebuilt state too, and a rollback leaves it rebuilt";
    }

    /** {@code methods} (one {@code name + descriptor} per line) as {@code a(), then b()}. */
    public static String names(String methods) {
        StringBuilder sb = new StringBuilder();
        int from = 0;
        while (from <= methods.length()) {
            int end = methods.indexOf('\n', from);
            String m = methods.substring(from, end < 0 ? methods.length() : end);
            int paren = m.indexOf('(');
            if (!m.isEmpty()) {
                sb.append(sb.isEmpty() ? "" : ", then ").append(paren < 0 ? m : m.substring(0, paren)).append("()");
            }
            if (end < 0) {
                break;
            }
            from = end + 1;
        }
        return sb.toString();
    }
}
