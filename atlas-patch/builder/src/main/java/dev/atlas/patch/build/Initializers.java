package dev.atlas.patch.build;

import dev.atlas.patch.classfile.CanonicalCode;
import dev.atlas.patch.classfile.ConstructorCall;
import dev.atlas.patch.build.classfile.StackDepth;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.DiscontinuedInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.IncrementInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.ReturnInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cuts the initialisers of new fields ({@code this.f = <expr>;} after the {@code super(..)}
 * call, {@code F = <expr>;} in {@code <clinit>}) out of new-build code, checks they use
 * only {@code this} and constants, and gives the rest of the code for comparison with the
 * old build.
 *
 * <p>Implementation notes: a statement starts where the operand stack is empty
 * ({@link StackDepth}); an initialiser may contain branches (conditional expressions) as
 * long as they stay inside it, and must not be covered by an exception handler.
 */
final class Initializers {
    /** The result for one method: the cut segments by field name, or why cutting failed. */
    record Cut(Map<String, Segment> segments, List<CodeElement> rest, String failure) {
    }

    private Initializers() {
    }

    /**
     * Cuts the initialisers of {@code fields} (new fields of {@code owner}) out of
     * {@code method}, a constructor ({@code instance}) or the static initialiser.
     */
    static Cut cut(MethodModel method, String owner, Set<String> fields, boolean instance) {
        CodeModel code = method.code().orElseThrow();
        List<CodeElement> elements = code.elementList();
        List<Instruction> ins = new ArrayList<>();
        Map<Label, Integer> labelIndex = new IdentityHashMap<>();
        for (CodeElement e : elements) {
            if (e instanceof Instruction i) {
                ins.add(i);
            } else if (e instanceof LabelTarget t) {
                labelIndex.put(t.label(), ins.size());
            }
        }
        int from = 0;
        if (instance) {
            int call = ConstructorCall.index(ins);
            if (call < 0) {
                return new Cut(Map.of(), elements, "no super(..) call found");
            }
            InvokeInstruction v = (InvokeInstruction) ins.get(call);
            if (v.owner().asInternalName().equals(owner)) {
                return new Cut(Map.of(), elements, null); // this(..): initialisers run in the other constructor
            }
            from = call + 1;
        }
        int[] depth = StackDepth.before(elements);
        Map<String, Segment> segments = new LinkedHashMap<>();
        Opcode put = instance ? Opcode.PUTFIELD : Opcode.PUTSTATIC;
        for (int k = from; k < ins.size(); k++) {
            if (!(ins.get(k) instanceof FieldInstruction f) || f.opcode() != put
                    || !f.owner().asInternalName().equals(owner) || !fields.contains(f.name().stringValue())) {
                continue;
            }
            String name = f.name().stringValue();
            int s = k;
            while (s > from && depth[s] != 0) {
                s--;
            }
            if (depth[s] != 0) {
                return new Cut(Map.of(), elements, "the initialiser of " + name + " is not a statement of its own");
            }
            String bad = check(ins, s, k, instance, labelIndex);
            if (bad != null) {
                return new Cut(Map.of(), elements, "the initialiser of " + name + " " + bad);
            }
            for (CodeElement e : elements) {
                if (e instanceof ExceptionCatch c && labelIndex.get(c.tryStart()) <= k && labelIndex.get(c.tryEnd()) > s) {
                    return new Cut(Map.of(), elements, "the initialiser of " + name + " is inside a try block");
                }
            }
            if (segments.put(name, new Segment(method, s, k, instance)) != null) {
                return new Cut(Map.of(), elements, "field " + name + " is assigned twice");
            }
        }
        // the rest: everything but the segments' instructions and the labels bound inside them
        boolean[] cutOut = new boolean[ins.size() + 1];
        for (Segment seg : segments.values()) {
            for (int i = seg.start(); i <= seg.end(); i++) {
                cutOut[i] = true;
            }
        }
        List<CodeElement> rest = new ArrayList<>();
        int index = 0;
        for (CodeElement e : elements) {
            if (e instanceof Instruction) {
                if (!cutOut[index]) {
                    rest.add(e);
                }
                index++;
            } else if (e instanceof LabelTarget) {
                boolean inside = index > 0 && cutOut[index - 1] && cutOut[index];
                if (!inside) {
                    rest.add(e);
                }
            } else {
                rest.add(e);
            }
        }
        return new Cut(segments, rest, null);
    }

    private static String check(List<Instruction> ins, int s, int k, boolean instance, Map<Label, Integer> labelIndex) {
        if (instance && !(ins.get(s) instanceof LoadInstruction l && l.slot() == 0)) {
            return "does not start with 'this'";
        }
        for (int i = s; i < k; i++) {
            Instruction x = ins.get(i);
            switch (x) {
                case LoadInstruction l when !instance || l.slot() != 0 ->
                        { return "uses constructor parameters or local variables (only 'this' and constants are allowed)"; }
                case StoreInstruction st -> { return "uses local variables"; }
                case IncrementInstruction inc -> { return "uses local variables"; }
                case ReturnInstruction r -> { return "returns"; }
                case DiscontinuedInstruction d -> { return "uses jsr/ret"; }
                case BranchInstruction b -> {
                    int t = labelIndex.getOrDefault(b.target(), -1);
                    if (t < s || t > k) {
                        return "jumps out of itself";
                    }
                }
                case LookupSwitchInstruction sw -> { return "contains a switch"; }
                case TableSwitchInstruction sw -> { return "contains a switch"; }
                default -> {
                }
            }
        }
        return null;
    }

    /** Canonical lines of a segment's value expression (for comparing segments of several constructors). */
    static List<String> text(Segment seg, CanonicalCode canon) {
        CodeModel code = seg.source().code().orElseThrow();
        List<CodeElement> part = new ArrayList<>();
        int index = 0;
        for (CodeElement e : code.elementList()) {
            if (e instanceof Instruction) {
                if (index >= seg.valueStart() && index < seg.end()) {
                    part.add(e);
                }
                index++;
            } else if (e instanceof LabelTarget && index >= seg.valueStart() && index <= seg.end()) {
                part.add(e);
            }
        }
        return canon.render(part);
    }
}
