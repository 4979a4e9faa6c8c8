package dev.atlas.patch.build;

import dev.atlas.patch.classfile.CanonicalCode;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A static initialiser that changed only in the initialisers of single static fields
 * ({@code F = <expr>;}, one statement each). The class was initialised before the patch and
 * its initialiser never runs again, so a changed {@code static final} field gets a copy for
 * the new view ({@link StaticState}): built once by the new release's expression, on the
 * first read in the new view, while the old view keeps the running value. Everything else
 * of the initialiser (loops, static blocks, initialisers that use local variables) must be
 * the same in both builds, and must not read a copied field (checked by {@link StaticState}).
 *
 * {@snippet class=dev.atlas.patch.build.BuildSnippets region=changed-static-initializer}
 *
 * <p>An enum's {@code $VALUES} whose code differs (compilers build it inline or through
 * {@code $values()}) is left alone: it holds the enum's constants, which must be unchanged.
 * When the change cannot be split per field (the rest of the initialiser differs, a changed
 * field is not final or synthetic, or is no longer initialised by its own statement), the
 * outcome says so ({@link Outcome#rerun()}): the new view then runs the whole new
 * initialiser ({@link ViewInitializers}); so does an enum with added constants
 * ({@link EnumChanges}). A changed initialiser of an existing enum constant is re-run the same way, into a twin of
 * the running constant ({@link EnumConstantStates}).
 *
 * <p>Stateless; thread-safe.
 */
final class ChangedStaticInitializer {
    /**
     * @param copies    existing static fields whose new initialiser differs: the new view's copies
     * @param newFields initialisers of static fields the new build adds
     * @param notes     what the patch does with the state, for the build's notes
     * @param refusal   why the change cannot be applied, or null
     * @param rerun     why the change cannot be split per field, so that the new view runs the whole new
     *                  initialiser into its own statics ({@link ViewInitializers}), or null
     */
    record Outcome(Map<String, Segment> copies, Map<String, Segment> newFields, List<String> notes, String refusal,
                   String rerun) {
        static Outcome refused(String why) {
            return new Outcome(Map.of(), Map.of(), List.of(), why, null);
        }

        static Outcome rerun(String why) {
            return new Outcome(Map.of(), Map.of(), List.of(), null, why);
        }
    }

    private ChangedStaticInitializer() {
    }

    /** Splits the changed static initialiser of {@code oldModel}/{@code newModel} into per-field changes. */
    static Outcome analyse(ClassModel oldModel, ClassModel newModel, UnaryOperator<String> newToOld) {
        String oldName = oldModel.thisClass().asInternalName();
        Optional<MethodModel> oc = clinit(oldModel);
        Optional<MethodModel> nc = clinit(newModel);
        if (nc.isEmpty()) {
            // nothing to rebuild when none of the statics the old initialiser set is left to read
            Set<String> left = staticFields(newModel);
            left.retainAll(ViewInitializers.viewFields(oldModel));
            return left.isEmpty() ? new Outcome(Map.of(), Map.of(), List.of(oldName + ": static initialiser removed in "
                    + "the new build, with every static it set"), null, null)
                    : Outcome.refused("static initialiser removed in the new build, while static field(s) "
                    + String.join(", ", left) + " it set remain (the new view would have to see their default values); "
                    + "remedy: restart on the new release");
        }
        Map<String, Segment> oldSegs = oc.map(m -> segments(m, oldName, staticFields(oldModel)).segments()).orElse(Map.of());
        List<CodeElement> oldRest = oc.map(m -> segments(m, oldName, staticFields(oldModel)).rest()).orElse(List.of());
        Initializers.Cut newCut = segments(nc.get(), newModel.thisClass().asInternalName(), staticFields(newModel));
        CanonicalCode oldCanon = ClassDiff.canon(oldModel, UnaryOperator.identity());
        CanonicalCode newCanon = ClassDiff.canon(newModel, newToOld);
        List<String> addedConstants = EnumChanges.added(oldModel, newModel);
        if (!addedConstants.isEmpty()) {
            String refusal = EnumChanges.checkConstructions(oldModel, newModel, oldSegs, newCut.segments(), oldCanon, newCanon);
            return refusal != null ? Outcome.refused(refusal) : Outcome.rerun("enum constants " + addedConstants + " added");
        }
        List<String> oldText = oc.isEmpty() ? List.of("return") : oldCanon.render(oldRest);
        List<String> newText = newCanon.render(newCut.rest());
        if (!oldText.equals(newText)) {
            return Outcome.rerun("static initialiser changed outside the initialisers of single static fields ("
                    + firstDifference(oldText, newText) + ")");
        }
        Map<String, FieldModel> oldFields = new LinkedHashMap<>();
        oldModel.fields().forEach(f -> oldFields.put(f.fieldName().stringValue(), f));
        Map<String, Segment> copies = new LinkedHashMap<>();
        Map<String, Segment> added = new LinkedHashMap<>();
        List<String> notes = new java.util.ArrayList<>();
        for (Map.Entry<String, Segment> e : newCut.segments().entrySet()) {
            String f = e.getKey();
            FieldModel old = oldFields.get(f);
            if (old == null) {
                added.put(f, e.getValue());
                continue;
            }
            Segment os = oldSegs.get(f);
            if (os != null && Initializers.text(os, oldCanon).equals(Initializers.text(e.getValue(), newCanon))) {
                continue;
            }
            int flags = old.flags().flagsMask();
            if (f.equals("$VALUES") && (flags & ClassFile.ACC_SYNTHETIC) != 0
                    && (oldModel.flags().flagsMask() & ClassFile.ACC_ENUM) != 0) {
                continue;   // the array of the enum's constants, which ClassDiff requires unchanged: only its code differs
            }
            if ((flags & ClassFile.ACC_ENUM) != 0) {
                // the new view builds the constant's new state into a twin (EnumConstantStates), or StaticState refuses
                return Outcome.rerun("the initialiser of enum constant " + f + " changed");
            }
            if ((flags & ClassFile.ACC_SYNTHETIC) != 0) {
                return Outcome.rerun("the initialiser of synthetic field " + f + " changed");
            }
            if ((flags & ClassFile.ACC_FINAL) == 0) {
                return Outcome.rerun("the initialiser of static field " + f + " changed and the field is not final");
            }
            copies.put(f, e.getValue());
            notes.add(oldName + " " + f + ": initialiser changed in the static initialiser; the new view reads its own copy ("
                    + StaticState.PREFIX + f + "), built once by the new release's initialiser on first use there; the old "
                    + "view keeps the running value");
        }
        for (String f : oldSegs.keySet()) {
            if (!newCut.segments().containsKey(f) && newModel.fields().stream().anyMatch(x -> x.fieldName().equalsString(f))) {
                return Outcome.rerun("static field " + f + " is no longer initialised by its own statement in the new build");
            }
        }
        return new Outcome(copies, added, notes, null, null);
    }

    private static Optional<MethodModel> clinit(ClassModel m) {
        return m.methods().stream().filter(x -> x.methodName().equalsString("<clinit>") && x.code().isPresent()).findFirst();
    }

    /** Static fields without a constant value. */
    private static Set<String> staticFields(ClassModel m) {
        Set<String> s = new LinkedHashSet<>();
        for (FieldModel f : m.fields()) {
            if ((f.flags().flagsMask() & ClassFile.ACC_STATIC) != 0 && f.findAttribute(Attributes.constantValue()).isEmpty()) {
                s.add(f.fieldName().stringValue());
            }
        }
        return s;
    }

    /** The initialisers of those {@code fields} that are statements of their own, cut out together. */
    private static Initializers.Cut segments(MethodModel clinit, String owner, Set<String> fields) {
        Set<String> cuttable = new LinkedHashSet<>();
        for (String f : fields) {
            Initializers.Cut one = Initializers.cut(clinit, owner, Set.of(f), false);
            if (one.failure() == null && one.segments().containsKey(f)) {
                cuttable.add(f);
            }
        }
        Initializers.Cut all = Initializers.cut(clinit, owner, cuttable, false);
        return all.failure() == null ? all : new Initializers.Cut(Map.of(), clinit.code().orElseThrow().elementList(), null);
    }

    private static String firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String x = i < a.size() ? a.get(i) : "<end>";
            String y = i < b.size() ? b.get(i) : "<end>";
            if (!x.equals(y)) {
                return "first difference: '" + abbreviate(x) + "' became '" + abbreviate(y) + "'";
            }
        }
        return "same code";
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
