package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Instance fields that the new release adds to, or retypes in, a class whose objects Java
 * serialization writes field by field. A loaded class never gets a field: the patch keeps the
 * new field beside the object (a shadow field), and serialization writes and reads the loaded
 * class's fields only. An object that deserialization makes skips every constructor, so in the
 * new view it has nothing in the new field (the new type's default: {@code null}, {@code 0}),
 * where the new release has the value the stream carried; new code that reads it then behaves
 * unlike the new release. The case that shows it: commons-csv 1.9.0 retypes
 * {@code CSVFormat.delimiter} from {@code char} to {@code String}, and a {@code CSVFormat} read
 * back on the patched JVM throws {@link NullPointerException} in {@code getDelimiter()}. Refused,
 * with the reason and the remedy.
 *
 * <p>Not refused: static and {@code transient} fields (serialization skips them in the new release
 * too); a {@code final} field of a primitive, boxed or {@code String} type with an initialiser of
 * its own ({@code init$} from {@code this} and constants: a deserialized object gets the value the
 * constructor would have given it, which is what the stream of the new release carries); enums (serialized by name); classes that are
 * {@code Externalizable} (their {@code writeExternal}/{@code readExternal}, replaced, write and read
 * the new fields through the patch's links) or whose running and new builds both declare
 * {@code writeReplace()} (their objects are never written field by field).
 *
 * <p>Implementation notes: a pure function of the plans and the new build's hierarchy
 * ({@code --classpath} included); a hierarchy that cannot be read whole is refused as
 * {@code transient} changes are, naming the missing class.
 */
final class SerializedAddedFields {
    /** Field types whose value an initialiser gives once and for all: primitives, their boxes, {@code String}. */
    private static final java.util.Set<String> IMMUTABLE = java.util.Set.of("Z", "B", "C", "S", "I", "J", "F", "D",
            "Ljava/lang/String;", "Ljava/lang/Boolean;", "Ljava/lang/Byte;", "Ljava/lang/Character;", "Ljava/lang/Short;",
            "Ljava/lang/Integer;", "Ljava/lang/Long;", "Ljava/lang/Float;", "Ljava/lang/Double;");

    private SerializedAddedFields() {
    }

    /**
     * A refusal for each instance field a plan adds or retypes in a class serialized field by field,
     * except in the classes the operator accepted ({@link BuildOptions#deserializedDefaults()}), whose
     * fields go to {@code accepted} as reports instead.
     */
    static List<Refusal> refusals(List<ClassDiff.Plan> plans, Hierarchy newBuild, BuildOptions options, List<String> accepted) {
        List<Refusal> out = new ArrayList<>();
        for (ClassDiff.Plan plan : plans) {
            List<FieldModel> fields = new ArrayList<>();
            for (FieldModel f : plan.newFields()) {
                int flags = f.flags().flagsMask();
                boolean finalWithInitializer = (flags & ClassFile.ACC_FINAL) != 0 && IMMUTABLE.contains(f.fieldType().stringValue())
                        && (plan.initializers().containsKey(f.fieldName().stringValue())
                                || plan.constantInitializers().containsKey(f.fieldName().stringValue()));
                if ((flags & (ClassFile.ACC_STATIC | ClassFile.ACC_TRANSIENT)) == 0 && !finalWithInitializer) {
                    fields.add(f);
                }
            }
            if (fields.isEmpty() || (plan.newModel().flags().flagsMask() & ClassFile.ACC_ENUM) != 0) {
                continue;
            }
            String self = plan.newModel().thisClass().asInternalName();
            Optional<String> missing = newBuild.missingSupertype(self);
            boolean serializable = missing.isPresent() || ModifierChange.isSerializable(newBuild, self);
            if (!serializable || ModifierChange.implementsInterface(newBuild, self, "java/io/Externalizable")
                    || declaresWriteReplace(plan.oldModel()) && declaresWriteReplace(plan.newModel())) {
                continue;
            }
            if (missing.isEmpty() && options.acceptsDeserializedDefaults(plan.className())) {
                accepted.add(plan.className() + ": objects deserialized in the new view have the default value in "
                        + fields.stream().map(f -> f.fieldName().stringValue()).toList() + " (the stream carries the loaded "
                        + "class's fields only), where the new release has the values the stream carries: NOT carried "
                        + "over (accepted with --deserialized-defaults " + plan.className().replace('/', '.') + ")");
                continue;
            }
            for (FieldModel f : fields) {
                boolean retyped = RetypedFields.running(plan.oldModel(), f).isPresent();
                String what = (retyped ? "field retyped (" + f.fieldType().stringValue() + " in the new release)"
                        : "field the new release adds") + " to ";
                out.add(new Refusal(plan.className(), f.fieldName().stringValue(), missing.isPresent()
                        ? what + "a class whose serializability cannot be checked: " + missing.get() + " is in neither build "
                                + "nor the classpath; remedy: pass the libraries with --classpath"
                        : what + "a Serializable class: the patch keeps it beside the object, Java serialization writes and "
                                + "reads the loaded class's fields only, and deserialization runs no constructor, so an object "
                                + "deserialized in the new view has no value in it (the new release has the one the stream "
                                + "carries); remedy: restart on the new release, or accept it with --deserialized-defaults "
                                + plan.className().replace('/', '.')));
            }
        }
        return out;
    }

    private static boolean declaresWriteReplace(ClassModel c) {
        for (MethodModel m : c.methods()) {
            if (m.methodName().equalsString("writeReplace") && m.methodType().equalsString("()Ljava/lang/Object;")
                    && (m.flags().flagsMask() & ClassFile.ACC_STATIC) == 0) {
                return true;
            }
        }
        return false;
    }
}
