package dev.atlas.patch.format;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.constantpool.StringEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * What static state a patch gives the new view, and how: one line per class whose static
 * initialiser's results the patch rebuilds ({@code atlas patch inspect} and the reply of
 * {@code atlas patch apply} print them).
 *
 * {@snippet :
 * for (String line : StaticStateSummary.lines(patch)) {
 *     System.out.println(line);   // "org.apache.commons.text.StrTokenizer: the new view runs ..."
 * }
 * }
 *
 * <p>Two shapes exist (see the builder's {@code ViewInitializers} and {@code StaticState}):
 * a class with the added static method {@value #INITIALIZER} and an added holder class
 * ({@code <class>}{@value #HOLDER_MARKER}{@code <id8>}) whose static fields are the new
 * view's statics, filled by the whole new static initialiser on first use in the new view;
 * and single fields {@code F} with a shadow copy {@value #VIEW_COPY_PREFIX}{@code F}, built
 * by that field's new initialiser on first use in the new view. In both the old view keeps
 * the running state, which rollback returns to.
 *
 * <p>Stateless; thread-safe.
 */
public final class StaticStateSummary {
    /** The added static method of a class that runs its new static initialiser into the view's statics. */
    public static final String INITIALIZER = "atlas$initializeView";
    /** What an added holder class's name has between the class's name and the patch id's first 8 digits. */
    public static final String HOLDER_MARKER = "$atlas$ViewStatics$$AtlasPatch$";
    /** Constant field of a holder class: the resources the new release changes, one per line. */
    public static final String RESOURCES_FIELD = "atlas$changedResources";
    /** Prefix of the shadow field that holds the new view's copy of a single static field. */
    public static final String VIEW_COPY_PREFIX = "atlas$view$";

    private StaticStateSummary() {
    }

    /** One line (with indented continuation lines) per class whose static state the new view gets its own of. */
    public static List<String> lines(Patch patch) {
        List<String> out = new ArrayList<>();
        for (ClassPatch c : patch.classes()) {
            String name = c.className().replace('/', '.');
            boolean rerun = c.methods().stream().anyMatch(m -> m.kind() == MethodChange.Kind.ADDED
                    && m.name().equals(INITIALIZER) && m.isStatic());
            if (rerun) {
                AddedClass holder = patch.addedClasses().stream()
                        .filter(a -> a.className().startsWith(c.className() + HOLDER_MARKER)).findFirst().orElse(null);
                List<String> fields = new ArrayList<>();
                String resources = null;
                if (holder != null) {
                    ClassModel m = ClassFile.of().parse(holder.bytes());
                    for (FieldModel f : m.fields()) {
                        if (f.fieldName().equalsString(RESOURCES_FIELD)) {
                            resources = f.findAttribute(Attributes.constantValue())
                                    .filter(cv -> cv.constant() instanceof StringEntry)
                                    .map(cv -> ((StringEntry) cv.constant()).stringValue()).orElse(null);
                        } else {
                            fields.add(f.fieldName().stringValue());
                        }
                    }
                }
                out.add(name + ": the new view runs the new release's static initialiser (" + INITIALIZER + ") once, on "
                        + "first use there, into its own statics " + String.join(", ", fields)
                        + (holder == null ? " (its holder class is missing from the patch)"
                        : " (" + holder.className().replace('/', '.') + ")")
                        + "; the old view keeps its state, and rollback returns to it");
                if (resources != null) {
                    out.add("    it reads resources from the running release's jar; the new release changes: "
                            + abbreviate(List.of(resources.split("\n"))));
                }
            }
            List<String> copies = c.addedFields().stream().filter(f -> f.isStatic() && f.name().startsWith(VIEW_COPY_PREFIX))
                    .map(f -> f.name().substring(VIEW_COPY_PREFIX.length())).toList();
            if (!copies.isEmpty()) {
                out.add(name + ": the new view reads its own " + String.join(", ", copies) + ", each built by the new "
                        + "release's initialiser of that field on first use there; the old view keeps the running "
                        + "values, and rollback returns to them");
            }
        }
        return out;
    }

    /** Up to three names, then the count. */
    public static String abbreviate(List<String> names) {
        return names.size() <= 3 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 3)) + ", ... (" + names.size() + ")";
    }
}
