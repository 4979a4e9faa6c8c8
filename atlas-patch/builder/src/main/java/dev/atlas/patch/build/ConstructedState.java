package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * State that the constructors of a changed class build by calling code the patch changes.
 * A patch changes code, not objects: an object created before the apply keeps the fields its
 * constructor set with the running code, and only objects created after it (in the new view)
 * are built by the new release's code. Where a constructor reaches a changed method of its own
 * class, the object state that method builds differs between old and new objects, and a patch
 * that fixes a flaw in that method (commons-beanutils 1.9.4's CVE-2019-10086 fix is in
 * {@code PropertyUtilsBean.resetBeanIntrospectors()}, which its constructor calls) leaves the
 * existing objects, singletons included, as they were. The builder cannot rebuild them soundly on
 * its own (it does not know which fields that call set, nor which other state depends on them), so it
 * reports it: each such class gives one line of {@code Patch.unappliedChanges}, which
 * {@code inspect}, the {@code apply} reply and {@code atlas status} list as reported, not applied,
 * naming the remedy: the operator may name the methods that reset that state
 * ({@code --rebuild-objects}, {@link RebuiltObjects}), and then the class is not reported.
 *
 * <p>The same holds for a new instance field that a replaced constructor sets from more than
 * {@code this} and constants (a parameter, a local): the builder cannot cut that out as the field's
 * initialiser, so objects created before the apply read the field's default value
 * ({@link #fieldsReport}), also reported, not applied.
 *
 * <p>Implementation notes: a pure function of the new build. A constructor reaches a method when it
 * calls it, directly or through other methods of the same class, on any receiver typed as the
 * class ({@code invokevirtual}, {@code invokespecial}, {@code invokeinterface} or
 * {@code invokestatic} of the class itself). Calls through other classes are not followed.
 */
final class ConstructedState {
    private ConstructedState() {
    }

    /**
     * One report line per changed class whose constructors reach a replaced method of the class.
     *
     * @param plans the changed classes, with their replaced methods
     */
    static List<String> reports(List<ClassDiff.Plan> plans) {
        List<String> out = new ArrayList<>();
        for (ClassDiff.Plan plan : plans) {
            Set<String> replaced = new LinkedHashSet<>();
            for (MethodModel m : plan.replaced()) {
                String n = m.methodName().stringValue();
                if (!n.equals("<init>") && !n.equals("<clinit>")) {
                    replaced.add(n + m.methodType().stringValue());
                }
            }
            if (replaced.isEmpty()) {
                continue;
            }
            Set<String> reached = reachedFromConstructors(plan.newModel());
            reached.retainAll(replaced);
            if (!reached.isEmpty()) {
                out.add(report(plan.className(), reached));
            }
        }
        return out;
    }

    /** The class (internal name) a line of {@link #reports} is about. */
    static String className(String report) {
        return report.substring(0, report.indexOf(':'));
    }

    static String report(String className, Set<String> methods) {
        List<String> shown = new ArrayList<>();
        for (String m : methods) {
            shown.add(m.substring(0, m.indexOf('(')) + "()");
        }
        String c = className.replace('/', '.');
        return className + ": objects created before the apply keep the state their constructor built with the running "
                + String.join(", ", shown) + ", which the patch changes: NOT rebuilt (only objects created after the apply, "
                + "in the new view, get the new release's); an instance made at start-up and kept (a singleton, a default "
                + "instance) stays as the old release built it; remedy: build the patch with --rebuild-objects '" + c + "#<method>()' "
                + "naming a method that resets the state from scratch, re-create the " + c + " objects that matter, or "
                + "restart on the new release";
    }

    /**
     * The new instance fields of {@code owner} that constructor {@code ctor} writes and that have no
     * initialiser ({@code initialised}: the new fields whose initialisers were cut out): objects created
     * before the apply read their default values, whatever the constructor set in new objects.
     */
    static List<FieldModel> fieldsLeftAtDefault(MethodModel ctor, String owner, List<FieldModel> newFields,
                                                Set<String> initialised) {
        Set<String> written = new LinkedHashSet<>();
        for (var e : ctor.code().orElseThrow()) {
            if (e instanceof FieldInstruction f && f.opcode() == Opcode.PUTFIELD && f.owner().asInternalName().equals(owner)) {
                written.add(f.name().stringValue());
            }
        }
        List<FieldModel> out = new ArrayList<>();
        for (FieldModel f : newFields) {
            String n = f.fieldName().stringValue();
            if ((f.flags().flagsMask() & ClassFile.ACC_STATIC) == 0 && written.contains(n) && !initialised.contains(n)) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * The report line for new fields a replaced constructor sets that objects created before the apply
     * see at their default values (httpclient 4.5.13's {@code BasicExpiresHandler} renames
     * {@code datepatterns} to {@code datePatterns}, set from the constructor's parameter: a handler made
     * before the apply reads {@code null} there).
     *
     * @param why why the initialiser could not be cut out of the constructor
     */
    static String fieldsReport(String className, String ctor, List<FieldModel> fields, String why) {
        List<String> shown = new ArrayList<>();
        for (FieldModel f : fields) {
            shown.add(f.fieldName().stringValue() + " = " + defaultValue(f.fieldType().stringValue()));
        }
        String c = className.replace('/', '.');
        return className + ": objects created before the apply read the default values of the new field(s) "
                + String.join(", ", shown) + ", which the changed constructor " + ctor + " sets (" + why + "): NOT carried "
                + "over (only objects created after the apply, in the new view, get the values the new release's constructor "
                + "sets); an instance made at start-up and kept stays so; remedy: re-create the " + c + " objects that "
                + "matter, or restart on the new release";
    }

    private static String defaultValue(String descriptor) {
        return switch (descriptor.charAt(0)) {
            case 'Z' -> "false";
            case 'L', '[' -> "null";
            default -> "0";
        };
    }

    /** The methods ({@code name + descriptor}) of {@code c} that a constructor of {@code c} reaches. */
    private static Set<String> reachedFromConstructors(ClassModel c) {
        String self = c.thisClass().asInternalName();
        Map<String, MethodModel> byKey = new HashMap<>();
        for (MethodModel m : c.methods()) {
            byKey.put(m.methodName().stringValue() + m.methodType().stringValue(), m);
        }
        Set<String> seen = new LinkedHashSet<>();
        Deque<MethodModel> work = new ArrayDeque<>();
        for (MethodModel m : c.methods()) {
            if (m.methodName().equalsString("<init>")) {
                work.add(m);
            }
        }
        while (!work.isEmpty()) {
            MethodModel m = work.poll();
            if (m.code().isEmpty()) {
                continue;
            }
            for (var e : m.code().get()) {
                if (e instanceof InvokeInstruction i && i.owner().asInternalName().equals(self)
                        && !i.name().equalsString("<init>")) {
                    String k = i.name().stringValue() + i.type().stringValue();
                    if (seen.add(k) && byKey.containsKey(k)) {
                        work.add(byKey.get(k));
                    }
                }
            }
        }
        return seen;
    }
}
