package dev.atlas.patch.build;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.MonitorInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code synchronized} removed from a method. The JVM takes a synchronized method's monitor
 * (the receiver, or the class object of a static method) before the method's first
 * instruction, so before the entry guard dispatches to any view's body: the running method
 * keeps its {@code ACC_SYNCHRONIZED}, and calls in the new view still hold that monitor around
 * the new release's body. That is more mutual exclusion than the new release has, never less:
 * what can go wrong is a deadlock (or a longer wait), when the new body, holding the monitor,
 * waits for a thread that needs the same monitor.
 *
 * <p>The removal is accepted when, under that monitor, the new body waits for nothing that the
 * running body did not also wait for under it: it takes no other monitor ({@code monitorenter})
 * and waits on nothing itself ({@code Object.wait}, {@code Thread.join}/{@code sleep},
 * {@code LockSupport.park}, anything of {@code java.util.concurrent}), and each of its calls is
 * either a JDK method that can neither block nor run code it is handed (a short list: the
 * methods of {@code String}, {@code StringBuilder}, the boxes, {@code Math}, {@code URI} whose
 * parameters are primitives or strings, their constructors and {@code equals}) or a call the
 * running body also made while holding the monitor (same name and descriptor, the new call's
 * method the same as the old call's or an override of it, so the old call could already run
 * it). Everything else is refused with the call named. The accepted calls that may block
 * are listed in the build note and in {@code inspect} and {@code apply} (the body class's
 * constant {@value #NOTE_FIELD}).
 *
 * <p>What the rule cannot see: a thread that calls the method while it holds a lock that those
 * shared calls wait for. The running release has the same exposure for the same calls; code
 * of the new release that newly calls the method while holding such a lock would add one, and
 * the note says so.
 *
 * <p>Implementation notes: a pure function of the two method models and the new build's
 * hierarchy (platform classes included, for resolving which method a call reaches); only the
 * method's own code is read, calls are not followed.
 */
final class RemovedSynchronized {
    /** Constant {@code String} field of a body class: one line per method whose running monitor the new view keeps. */
    static final String NOTE_FIELD = dev.atlas.patch.format.MonitorNotes.FIELD;

    /** Classes whose listed methods never block and never call code they are given. */
    private static final Set<String> PURE = Set.of("java/lang/String", "java/lang/StringBuilder", "java/lang/Integer",
            "java/lang/Long", "java/lang/Short", "java/lang/Byte", "java/lang/Character", "java/lang/Boolean",
            "java/lang/Double", "java/lang/Float", "java/lang/Math", "java/lang/StrictMath", "java/net/URI");
    private static final Set<String> BOXES_AND_STRING = Set.of("Ljava/lang/String;", "Ljava/lang/Integer;",
            "Ljava/lang/Long;", "Ljava/lang/Short;", "Ljava/lang/Byte;", "Ljava/lang/Character;", "Ljava/lang/Boolean;",
            "Ljava/lang/Double;", "Ljava/lang/Float;");
    /** Calls that wait for another thread (or sleep holding the monitor). */
    private static final Set<String> WAITS = Set.of("java/lang/Object.wait", "java/lang/Thread.join", "java/lang/Thread.sleep");

    private RemovedSynchronized() {
    }

    /**
     * The verdict on {@code newMethod} of {@code owner}, which the running {@code oldMethod}
     * (synchronized) becomes: a refusal, or the calls it shares with the running body that may block.
     */
    record Verdict(String refusal, List<String> sharedCalls) {
    }

    static Verdict check(Hierarchy build, String owner, MethodModel oldMethod, MethodModel newMethod) {
        if (newMethod.code().isEmpty() || oldMethod.code().isEmpty()) {
            return new Verdict("the method has no code to check", List.of());
        }
        List<InvokeInstruction> oldCalls = new ArrayList<>();
        boolean oldConcat = false;
        for (CodeElement e : oldMethod.code().get()) {
            if (e instanceof InvokeInstruction v) {
                oldCalls.add(v);
            } else if (e instanceof InvokeDynamicInstruction d && isConcat(d)) {
                oldConcat = true;
            }
        }
        Set<String> shared = new LinkedHashSet<>();
        for (CodeElement e : newMethod.code().get()) {
            if (e instanceof MonitorInstruction m && m.opcode() == Opcode.MONITORENTER) {
                return new Verdict("the new body takes another monitor (a synchronized block) while the running method "
                        + "holds " + monitor(owner, newMethod), List.of());
            }
            if (e instanceof InvokeDynamicInstruction d) {
                if (isConcat(d) && !concatRunsCode(d)) {
                    continue;
                }
                if (isConcat(d) && oldConcat) {
                    shared.add("string concatenation (toString() of its arguments)");
                    continue;
                }
                if (d.bootstrapMethod().owner().descriptorString().equals("Ljava/lang/invoke/LambdaMetafactory;")) {
                    continue;   // creates a lambda, runs nothing
                }
                return new Verdict("the new body has an invokedynamic call site (" + d.name().stringValue() + ") whose "
                        + "code cannot be checked", List.of());
            }
            if (!(e instanceof InvokeInstruction v)) {
                continue;
            }
            String o = v.owner().asInternalName();
            String n = v.name().stringValue();
            if (WAITS.contains(o + "." + n) || o.startsWith("java/util/concurrent/")) {
                return new Verdict("the new body calls " + shown(v) + ", a call that may wait for another thread "
                        + "(Object.wait, Thread.join/sleep, java.util.concurrent) while the running method holds "
                        + monitor(owner, newMethod), List.of());
            }
            if (pure(v)) {
                continue;
            }
            if (madeByOld(build, v, oldCalls)) {
                shared.add(shown(v));
                continue;
            }
            return new Verdict("the new body calls " + shown(v) + ", which the running (synchronized) body did not call "
                    + "while holding " + monitor(owner, newMethod) + " and which may wait for another thread; holding the "
                    + "monitor around it could deadlock with a thread that the new release lets in", List.of());
        }
        return new Verdict(null, List.copyOf(shared));
    }

    /** The build note (and the line {@code inspect}/{@code apply} print) for an accepted removal. */
    static String note(String owner, MethodModel m, List<String> shared) {
        return "no longer synchronized in the new release, but calls still take the monitor of "
                + monitor(owner, m) + " (the running method keeps ACC_SYNCHRONIZED, and the JVM takes it before the entry "
                + "guard dispatches): more mutual exclusion than the new release, never less. Accepted because under it "
                + "the new body waits for nothing the running body did not also wait for under it"
                + (shared.isEmpty() ? " (it makes no call that can block)"
                : "; calls that may block, made by the running body under the same monitor too: " + String.join(", ", shared)
                + ". A thread that calls it while holding a lock those calls wait for deadlocks as with the running release");
    }

    static String monitor(String owner, MethodModel m) {
        return (m.flags().flagsMask() & ClassFile.ACC_STATIC) != 0
                ? "the class object " + owner.replace('/', '.') + ".class"
                : "the receiver (the " + owner.substring(owner.lastIndexOf('/') + 1) + " object)";
    }

    private static boolean isConcat(InvokeDynamicInstruction d) {
        return d.bootstrapMethod().owner().descriptorString().equals("Ljava/lang/invoke/StringConcatFactory;");
    }

    /** Whether the concatenation calls toString() of an argument (one that is not a primitive, box or String). */
    private static boolean concatRunsCode(InvokeDynamicInstruction d) {
        for (ClassDesc p : d.typeSymbol().parameterList()) {
            if (!p.isPrimitive() && !harmless(p)) {
                return true;
            }
        }
        return false;
    }

    /** Primitives, their arrays, strings and boxes: values whose use runs no code of the application. */
    private static boolean harmless(ClassDesc p) {
        if (p.isPrimitive()) {
            return true;
        }
        if (p.isArray()) {
            return p.componentType().isPrimitive();
        }
        return BOXES_AND_STRING.contains(p.descriptorString());
    }

    /** A method of {@link #PURE} whose parameters carry no code it could run (or an {@code equals}, which only compares). */
    private static boolean pure(InvokeInstruction v) {
        if (!PURE.contains(v.owner().asInternalName())) {
            return v.owner().asInternalName().equals("java/lang/Object") && v.name().equalsString("<init>");
        }
        MethodTypeDesc t = v.typeSymbol();
        if (v.name().equalsString("equals") && t.descriptorString().equals("(Ljava/lang/Object;)Z")) {
            return true;
        }
        for (ClassDesc p : t.parameterList()) {
            if (!harmless(p)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the running body made a call that could already reach the method {@code v} reaches. */
    private static boolean madeByOld(Hierarchy build, InvokeInstruction v, List<InvokeInstruction> oldCalls) {
        String name = v.name().stringValue();
        String desc = v.type().stringValue();
        Optional<Hierarchy.Member> target = build.resolveMethod(v.owner().asInternalName(), name, desc);
        for (InvokeInstruction o : oldCalls) {
            if (!o.name().stringValue().equals(name) || !o.type().stringValue().equals(desc)) {
                continue;
            }
            if (o.owner().asInternalName().equals(v.owner().asInternalName()) && o.opcode() == v.opcode()) {
                return true;
            }
            Optional<Hierarchy.Member> was = build.resolveMethod(o.owner().asInternalName(), name, desc);
            if (target.isEmpty() || was.isEmpty()) {
                continue;
            }
            boolean virtual = o.opcode() == Opcode.INVOKEVIRTUAL || o.opcode() == Opcode.INVOKEINTERFACE;
            String t = target.get().declaringClass();
            String w = was.get().declaringClass();
            if (t.equals(w) || virtual && subtype(build, t, w)) {
                return true;   // the same method, or an override of it that the old (virtual) call could dispatch to
            }
        }
        return false;
    }

    private static boolean subtype(Hierarchy build, String sub, String sup) {
        Deque<String> todo = new ArrayDeque<>(List.of(sub));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String c = todo.poll();
            if (c.equals(sup)) {
                return true;
            }
            if (seen.add(c)) {
                build.model(c).ifPresent(m -> {
                    m.superclass().ifPresent(s -> todo.add(s.asInternalName()));
                    m.interfaces().forEach(i -> todo.add(i.asInternalName()));
                });
            }
        }
        return false;
    }

    private static String shown(InvokeInstruction v) {
        MethodTypeDesc t = v.typeSymbol();
        StringBuilder sb = new StringBuilder(v.owner().asInternalName().replace('/', '.')).append('.')
                .append(v.name().stringValue()).append('(');
        for (int i = 0; i < t.parameterCount(); i++) {
            sb.append(i == 0 ? "" : ", ").append(t.parameterType(i).displayName());
        }
        return sb.append(')').toString();
    }
}
