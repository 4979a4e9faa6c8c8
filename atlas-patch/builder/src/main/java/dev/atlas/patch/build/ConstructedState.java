package dev.atlas.patch.build;

import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
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
