package dev.atlas.patch.build;

import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fields the patch adds that the new build's own code looks up by name. A loaded class never
 * gets a field: the patch keeps an added field beside the class and links the new code's
 * reads and writes to it, so reflection, {@code VarHandle}s, method handles and field updaters
 * looked up by name find only the loaded class's fields. Where the new build itself does that
 * with an added field's name ({@code AtomicIntegerFieldUpdater.newUpdater(C.class, "count")},
 * {@code C.class.getDeclaredField("count")}), its code would throw where the new release's
 * succeeds, so the patch is refused. Lookups by names the builder cannot see (a test or a
 * framework reading private state) are not refused; what code outside the patch sees of added
 * fields is said by {@code FieldAddition.ADDED_FIELDS_REACH}.
 *
 * <p>Implementation notes: a pure function of the new build. A method of the new build is
 * taken to look a field up by name when it loads the field's name as a string constant at
 * most {@value #NAME_REACH} instructions before a call of one of {@link #LOOKUPS} (where
 * javac puts a constant name argument); the class the lookup is made on is not traced (a
 * lookup of another class's field of that name is refused too, the conservative side). A name
 * computed or passed in is not seen.
 */
final class ReflectedAddedFields {
    /** The JDK's lookups of a field by name: owner and method name. */
    static final Set<String> LOOKUPS = Set.of(
            "java/lang/Class.getDeclaredField", "java/lang/Class.getField",
            "java/lang/invoke/MethodHandles$Lookup.findVarHandle", "java/lang/invoke/MethodHandles$Lookup.findStaticVarHandle",
            "java/lang/invoke/MethodHandles$Lookup.findGetter", "java/lang/invoke/MethodHandles$Lookup.findSetter",
            "java/lang/invoke/MethodHandles$Lookup.findStaticGetter", "java/lang/invoke/MethodHandles$Lookup.findStaticSetter",
            "java/util/concurrent/atomic/AtomicIntegerFieldUpdater.newUpdater",
            "java/util/concurrent/atomic/AtomicLongFieldUpdater.newUpdater",
            "java/util/concurrent/atomic/AtomicReferenceFieldUpdater.newUpdater");

    /**
     * How many instructions before a lookup its name argument may be loaded: the name is the last
     * argument of {@code getDeclaredField}, {@code getField} and the updaters, and is followed by
     * one more (the field's type, a class constant or a primitive's {@code TYPE}) in the
     * {@code Lookup} methods.
     */
    private static final int NAME_REACH = 2;

    private ReflectedAddedFields() {
    }

    private static Refusal refusal(String owner, String name, ClassModel c, MethodModel m, InvokeInstruction lookup) {
        return new Refusal(owner, name, "field the new release adds, and the new build looks it up by name ("
                + c.thisClass().asInternalName().replace('/', '.') + "." + m.methodName().stringValue() + " calls "
                + lookup.owner().asInternalName().replace('/', '.') + "." + lookup.name().stringValue() + " with \"" + name
                + "\"): a field the patch adds is not a field of the loaded class, so that lookup would throw where the "
                + "new release's succeeds; remedy: restart on the new release");
    }

    /** A lookup by name in the new build: the name, and the class, method and call that look it up. */
    record Lookup(String name, ClassModel owner, MethodModel method, InvokeInstruction call) {
    }

    /**
     * A refusal for each field a plan adds whose name a method of the new build looks up.
     *
     * @param plans     the changed classes, with the fields they add
     * @param newModels the new build's classes by internal name
     */
    static List<Refusal> refusals(List<ClassDiff.Plan> plans, Map<String, ClassModel> newModels) {
        Map<String, List<String>> ownersByName = new HashMap<>();   // added field name -> classes (old names) adding it
        for (ClassDiff.Plan plan : plans) {
            for (FieldModel f : plan.newFields()) {
                ownersByName.computeIfAbsent(f.fieldName().stringValue(), k -> new ArrayList<>()).add(plan.className());
            }
        }
        List<Refusal> out = new ArrayList<>();
        for (Lookup l : lookedUp(newModels.values(), ownersByName.keySet())) {
            for (String owner : ownersByName.get(l.name())) {
                out.add(refusal(owner, l.name(), l.owner(), l.method(), l.call()));
            }
        }
        return out;
    }

    /** The lookups by one of {@code names} that methods of {@code models} make, in class and code order. */
    static List<Lookup> lookedUp(Collection<ClassModel> models, Set<String> names) {
        List<Lookup> out = new ArrayList<>();
        if (names.isEmpty()) {
            return out;
        }
        for (ClassModel c : models) {
            for (MethodModel m : c.methods()) {
                if (m.code().isEmpty()) {
                    continue;
                }
                java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();   // the names the last instructions loaded ("" for another instruction)
                for (var e : m.code().get()) {
                    if (!(e instanceof java.lang.classfile.Instruction)) {
                        continue;   // labels, line numbers
                    }
                    if (e instanceof InvokeInstruction i
                            && LOOKUPS.contains(i.owner().asInternalName() + "." + i.name().stringValue())) {
                        for (String n : new java.util.LinkedHashSet<>(recent)) {
                            if (!n.isEmpty()) {
                                out.add(new Lookup(n, c, m, i));
                            }
                        }
                    }
                    recent.addLast(e instanceof ConstantInstruction.LoadConstantInstruction ldc
                            && ldc.constantValue() instanceof String s && names.contains(s) ? s : "");
                    if (recent.size() > NAME_REACH) {
                        recent.removeFirst();
                    }
                }
            }
        }
        return out;
    }
}
