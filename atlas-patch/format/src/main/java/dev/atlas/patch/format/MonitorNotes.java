package dev.atlas.patch.format;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.attribute.ConstantValueAttribute;
import java.lang.classfile.constantpool.StringEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Methods that the new release no longer declares {@code synchronized} while the running
 * method keeps its monitor (the JVM takes it before the entry guard dispatches): one line per
 * method saying which monitor calls still take and why the builder accepted it
 * ({@code atlas patch build}, {@code inspect} and the reply of {@code apply} print them). The
 * builder records them in the body class of the method's class as the constant
 * {@value #FIELD}, one line each.
 *
 * <p>Stateless; thread-safe. Runs in the agent's apply reply: plain loops, no regex.
 */
public final class MonitorNotes {
    /** Constant {@code String} field of a body class: the lines, separated by {@code '\n'}. */
    public static final String FIELD = "atlas$monitorKept";

    private MonitorNotes() {
    }

    /** The lines of every body class of {@code patch} that carries them. */
    public static List<String> lines(Patch patch) {
        List<String> out = new ArrayList<>();
        for (ClassPatch c : patch.classes()) {
            if (c.bodyClass() == null) {
                continue;
            }
            ClassModel m = ClassFile.of().parse(c.bodyClass());
            for (FieldModel f : m.fields()) {
                if (f.fieldName().equalsString(FIELD)) {
                    Optional<ConstantValueAttribute> cv = f.findAttribute(Attributes.constantValue());
                    if (cv.isPresent() && cv.get().constant() instanceof StringEntry text) {
                        out.addAll(StaticStateSummary.nonEmptyLines(text.stringValue()));
                    }
                }
            }
        }
        return out;
    }
}
