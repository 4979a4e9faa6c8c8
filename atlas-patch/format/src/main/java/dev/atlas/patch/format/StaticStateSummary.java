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
 * What static state a patch gives the new view, and how: one line per class whose static
 * initialiser's results the patch rebuilds ({@code atlas patch inspect} and the reply of
 * {@code atlas patch apply} print them).
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=static-state-summary}
 *
 * <p>Three shapes exist (see the builder's {@code ViewInitializers}, {@code StaticState} and
 * {@code AddedStatics}):
 * a class with the added static method {@value #INITIALIZER} and an added holder class
 * ({@code <class>}{@value #HOLDER_MARKER}{@code <id8>}) whose static fields are the new
 * view's statics, filled by the whole new static initialiser on first use in the new view;
 * and single fields {@code F} with a shadow copy {@value #VIEW_COPY_PREFIX}{@code F}, built
 * by that field's new initialiser on first use in the new view. In both the old view keeps
 * the running state, which rollback returns to. Third, the static fields a patch adds (which
 * only the patch's code and classes loaded after the apply name): a class with an added holder
 * class ({@code <class>}{@value #ADDED_STATICS_HOLDER_MARKER}{@code <id8>}) whose static
 * initialiser values them together, in the new release's order, on the first read of any of
 * them in the new view. Code outside the patch that reads the fields:
 * a class loaded after the apply gets its reads linked to the value of the calling thread's
 * view (the agent's {@code ViewStaticReads}); classes loaded before, reflection, method
 * handles and writes reach the running fields; each class's lines say so.
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
    /**
     * Constant field of the holder of an enum whose constants the patch adds: what the patch
     * does with them (the added constants, their ordinals, what the views share), one sentence.
     */
    public static final String ENUM_CONSTANTS_FIELD = "atlas$enumConstants";
    /**
     * Static field of the holder of an enum whose running constants get the new release's
     * state in the new view: the twins of those constants, by ordinal (the builder's
     * {@code EnumConstantStates}); not one of the view's statics.
     */
    public static final String CONSTANT_STATES_FIELD = "atlas$constantStates";
    /** Prefix of the shadow field that holds the new view's copy of a single static field. */
    public static final String VIEW_COPY_PREFIX = "atlas$view$";
    /** The added static method of a class that values the static fields the patch adds, together, into their holder. */
    public static final String ADDED_STATICS_INITIALIZER = "atlas$initializeAddedStatics";
    /** What the new-build name of the holder of a class's added statics adds to the class's name. */
    public static final String ADDED_STATICS_HOLDER = "$atlas$AddedStatics";
    /** What an added-statics holder's name has between the class's name and the patch id's first 8 digits. */
    public static final String ADDED_STATICS_HOLDER_MARKER = ADDED_STATICS_HOLDER + "$$AtlasPatch$";

    private StaticStateSummary() {
    }

    /** One line (with indented continuation lines) per class whose static state the new view gets its own of. */
    public static List<String> lines(Patch patch) {
        List<String> out = new ArrayList<>();
        for (ClassPatch c : patch.classes()) {
            String name = c.className().replace('/', '.');
            boolean rerun = false;
            for (MethodChange m : c.methods()) {
                if (m.kind() == MethodChange.Kind.ADDED && m.name().equals(INITIALIZER) && m.isStatic()) {
                    rerun = true;
                }
            }
            if (rerun) {
                AddedClass holder = null;
                for (AddedClass a : patch.addedClasses()) {
                    if (holder == null && a.className().startsWith(c.className() + HOLDER_MARKER)) {
                        holder = a;
                    }
                }
                List<String> fields = new ArrayList<>();
                String resources = null;
                String constants = null;
                if (holder != null) {
                    ClassModel m = ClassFile.of().parse(holder.bytes());
                    for (FieldModel f : m.fields()) {
                        if (f.fieldName().equalsString(CONSTANT_STATES_FIELD)) {
                            continue;   // the twins of running constants, said by the enum's line
                        }
                        if (f.fieldName().equalsString(RESOURCES_FIELD) || f.fieldName().equalsString(ENUM_CONSTANTS_FIELD)) {
                            Optional<ConstantValueAttribute> cv = f.findAttribute(Attributes.constantValue());
                            if (cv.isPresent() && cv.get().constant() instanceof StringEntry text) {
                                if (f.fieldName().equalsString(RESOURCES_FIELD)) {
                                    resources = text.stringValue();
                                } else {
                                    constants = text.stringValue();
                                }
                            }
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
                if (constants != null) {
                    out.add("    " + constants);
                }
                if (resources != null) {
                    out.add("    it reads resources from the running release's jar; the new release changes: "
                            + abbreviate(nonEmptyLines(resources)));
                }
                out.add(outsideThePatch(name, fields));
            }
            out.addAll(addedStatics(patch, c));
            List<String> copies = new ArrayList<>();
            for (FieldAddition f : c.addedFields()) {
                if (f.isStatic() && f.name().startsWith(VIEW_COPY_PREFIX)) {
                    copies.add(f.name().substring(VIEW_COPY_PREFIX.length()));
                }
            }
            if (!copies.isEmpty()) {
                out.add(name + ": the new view reads its own " + String.join(", ", copies) + ", each built by the new "
                        + "release's initialiser of that field on first use there; the old view keeps the running "
                        + "values, and rollback returns to them");
                out.add(outsideThePatch(name, copies));
            }
        }
        return out;
    }

    /** The lines of class {@code c}'s added statics valued together, none if the patch has no holder of them. */
    private static List<String> addedStatics(Patch patch, ClassPatch c) {
        for (AddedClass a : patch.addedClasses()) {
            if (!a.className().startsWith(c.className() + ADDED_STATICS_HOLDER_MARKER)) {
                continue;
            }
            List<String> fields = new ArrayList<>();
            for (FieldModel f : ClassFile.of().parse(a.bytes()).fields()) {
                fields.add(f.fieldName().stringValue());
            }
            String name = c.className().replace('/', '.');
            String named = name + "." + (fields.size() == 1 ? fields.getFirst() : "{" + abbreviate(fields) + "}");
            return List.of(name + ": the static fields the new release adds, " + String.join(", ", fields)
                    + ", are valued together, once, by their statements of the new release's static initialiser, in its "
                    + "order (" + ADDED_STATICS_INITIALIZER + ", into " + a.className().replace('/', '.') + "), on the first "
                    + "read of any of them in the new view"
                    + (c.transferHook() == null ? "" : ", which its transfer hook, run at the apply in the new view, makes "
                    + "if it reads them (the generated one does)")
                    + "; not at the class's initialisation, which the running release "
                    + "did: what they read from system properties, the environment or other mutable state is read then",
                    "    code outside the patch: a class loaded after the apply that reads " + named + " gets the new "
                    + "view's value in the new view and NoSuchFieldError elsewhere, as with the old release; reflection "
                    + "and method handles do not find them");
        }
        return List.of();
    }

    /**
     * What code that is not the patch's sees of {@code fields}: a class loaded after the apply
     * has its reads ({@code getstatic} naming the class) linked by the agent to the value of the
     * calling thread's view; everything else (classes loaded before, reflection, method
     * handles, writes) reaches the running fields.
     */
    static String outsideThePatch(String className, List<String> fields) {
        String named = className + "." + (fields.size() == 1 ? fields.getFirst() : "{" + abbreviate(fields) + "}");
        return "    code outside the patch: a class loaded after the apply (the new release's own tests, say) that reads "
                + named + " gets the new view's value in the new view and the running one elsewhere; classes loaded "
                + "before the apply, lambda objects created before it, reflection (Field.get), method handles and writes "
                + "reach the running field";
    }

    /**
     * The lines of {@code text} cut at {@code '\n'}, without trailing empty ones (as
     * {@code split("\n")} cuts them, without a regex: this runs in the agent's apply reply,
     * on the patch path checked by PatchPathRulesTest).
     */
    static List<String> nonEmptyLines(String text) {
        List<String> out = PatchManifest.cut(text, '\n');
        while (!out.isEmpty() && out.getLast().isEmpty()) {
            out.removeLast();
        }
        return out;
    }

    /** Up to three names, then the count. */
    public static String abbreviate(List<String> names) {
        return names.size() <= 3 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 3)) + ", ... (" + names.size() + ")";
    }
}
