package dev.atlas.patch.build;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassBuilder;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.Optional;

/**
 * A field whose type the new release changed. The running field keeps its type (a loaded class
 * is never redefined), so the new view gets a field of its own, of the new type, beside it: a
 * field the patch adds ({@code name$atlas$retyped}, a shadow field), which every access of the
 * new code uses; the old view keeps the running field. Its value: for an object created in the
 * new view, what the new constructor stores; for a static field, the new release's initialiser
 * expression when it is a statement of its own (as for a new static field), run on first use;
 * otherwise (objects created before the patch, or by a thread still in the old view) the running
 * field's value when it is an instance of the new type, else the new type's default. That last
 * case is reported in the build notes: new code sees {@code null} (or 0) there, as it would
 * before the new constructor stored a value. A compile-time constant ({@code static final} with
 * a {@code ConstantValue}) is not read by the new code at all (javac inlines it): reported, not
 * applied, and refused if some class of the new build does read it.
 *
 * <p>Stateless; thread-safe.
 */
final class RetypedFields {
    static final String SUFFIX = "$atlas$retyped";

    private RetypedFields() {
    }

    /** Why the retyped field cannot be patched, or empty. */
    static Optional<String> check(Hierarchy newBuild, String owner, FieldModel of, FieldModel nf) {
        boolean oldStatic = (of.flags().flagsMask() & ClassFile.ACC_STATIC) != 0;
        boolean newStatic = (nf.flags().flagsMask() & ClassFile.ACC_STATIC) != 0;
        String change = "field type changed from " + of.fieldType().stringValue() + " to " + nf.fieldType().stringValue();
        if (oldStatic != newStatic) {
            return Optional.of(change + " and between static and instance: the running field keeps its kind; remedy: restart on "
                    + "the new release");
        }
        if (isInlinedConstant(nf)) {
            Optional<String> reader = reader(newBuild, owner, nf.fieldName().stringValue());
            if (reader.isPresent()) {
                return Optional.of(change + ", a constant that " + reader.get() + " of the new build reads as a field (not "
                        + "inlined), while the running field keeps its type; remedy: restart on the new release");
            }
        }
        return Optional.empty();
    }

    /** A {@code static final} field with a constant value, which javac inlines into its readers. */
    static boolean isInlinedConstant(FieldModel f) {
        int flags = f.flags().flagsMask();
        return (flags & ClassFile.ACC_STATIC) != 0 && (flags & ClassFile.ACC_FINAL) != 0
                && f.findAttribute(Attributes.constantValue()).isPresent();
    }

    /** The build note for a retyped field that is patched. */
    static String note(String owner, FieldModel of, FieldModel nf) {
        String n = nf.fieldName().stringValue();
        String change = "field type changed from " + of.fieldType().stringValue() + " to " + nf.fieldType().stringValue();
        if (isInlinedConstant(nf)) {
            return owner + " " + n + ": " + change + "; a constant, inlined by javac into the new code, which does not read the "
                    + "field: the running field keeps its type and value (reflection sees those)";
        }
        boolean isStatic = (nf.flags().flagsMask() & ClassFile.ACC_STATIC) != 0;
        return owner + " " + n + ": " + change + "; the new view uses a field of the new type added beside it (" + n + SUFFIX
                + (isStatic ? ", or the view's own copy of the static state when a note below says so" : "")
                + "), the old view the running one; "
                + (isStatic
                ? "its value is the new release's initialiser's when that is a statement of its own, else "
                : "for objects created before the patch (or by the old view) its value is ")
                + (carries(of, nf) ? "the running field's value when that is an instance of the new type, else null"
                : "the default value of " + nf.fieldType().stringValue() + " (the running " + of.fieldType().stringValue()
                + " cannot be converted)");
    }

    /** The name under which the patch adds new field {@code field}: its own, or {@code field$atlas$retyped} beside a running one. */
    static String addedName(ClassModel oldModel, String field) {
        for (FieldModel f : oldModel.fields()) {
            if (f.fieldName().equalsString(field)) {
                return field + SUFFIX;
            }
        }
        return field;
    }

    /** The running field of {@code oldModel} that new field {@code nf} was retyped from, if any. */
    static Optional<FieldModel> running(ClassModel oldModel, FieldModel nf) {
        return oldModel.fields().stream().filter(f -> f.fieldName().equalsString(nf.fieldName().stringValue())).findFirst();
    }

    /** Whether a running value may be carried over (both reference types; checked per value). */
    static boolean carries(FieldModel of, FieldModel nf) {
        return isReference(of.fieldType().stringValue()) && isReference(nf.fieldType().stringValue());
    }

    /**
     * The initialiser {@code initName} of the retyped field: the running field's value if it is
     * an instance of the new type ({@code loadedNewType}), else null.
     */
    static void carry(ClassBuilder clb, String initName, ClassDesc self, FieldModel of, ClassDesc loadedNewType) {
        boolean isStatic = (of.flags().flagsMask() & ClassFile.ACC_STATIC) != 0;
        MethodTypeDesc desc = isStatic ? MethodTypeDesc.of(loadedNewType) : MethodTypeDesc.of(loadedNewType, self);
        clb.withMethodBody(initName, desc, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, cb -> {
            if (isStatic) {
                cb.getstatic(self, of.fieldName().stringValue(), of.fieldTypeSymbol());
            } else {
                cb.aload(0);
                cb.getfield(self, of.fieldName().stringValue(), of.fieldTypeSymbol());
            }
            Label other = cb.newLabel();
            cb.dup();
            cb.instanceOf(loadedNewType);
            cb.ifeq(other);
            cb.checkcast(loadedNewType);
            cb.areturn();
            cb.labelBinding(other);
            cb.pop();
            cb.aconst_null();
            cb.areturn();
        });
    }

    private static boolean isReference(String desc) {
        return desc.startsWith("L") || desc.startsWith("[");
    }

    private static Optional<String> reader(Hierarchy build, String owner, String field) {
        for (ClassModel c : build.buildClasses()) {
            for (MethodModel m : c.methods()) {
                if (m.code().isEmpty()) {
                    continue;
                }
                for (var e : m.code().get()) {
                    if (e instanceof FieldInstruction fi && fi.owner().asInternalName().equals(owner)
                            && fi.name().equalsString(field)) {
                        return Optional.of(c.thisClass().asInternalName() + "." + m.methodName().stringValue());
                    }
                }
            }
        }
        return Optional.empty();
    }
}
