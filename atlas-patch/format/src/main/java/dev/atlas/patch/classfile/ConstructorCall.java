package dev.atlas.patch.classfile;

import java.lang.classfile.CodeElement;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Finds the {@code super(..)} or {@code this(..)} call of a constructor: the point after
 * which {@code this} is initialised, where the agent places a constructor's entry guard
 * and from which the builder takes a changed constructor's new body. Both sides use this
 * one rule, so the guard and the body it dispatches to start at the same instruction.
 *
 * {@snippet class=dev.atlas.patch.snippets.FormatSnippets region=constructor-call}
 *
 * <p>Implementation notes: an {@code invokespecial <init>} belongs to the innermost pending
 * {@code new} of the same class; the first one that belongs to none is the constructor's own
 * call. Stateless, thread-safe.
 */
public final class ConstructorCall {
    private ConstructorCall() {
    }

    /**
     * Index in {@code code} (instructions only, or all code elements) of the constructor's own
     * {@code <init>} call, -1 if none.
     */
    public static int index(List<? extends CodeElement> code) {
        Deque<String> pendingNew = new ArrayDeque<>();
        for (int i = 0; i < code.size(); i++) {
            if (code.get(i) instanceof NewObjectInstruction n) {
                pendingNew.push(n.className().asInternalName());
            } else if (code.get(i) instanceof InvokeInstruction v && v.opcode() == Opcode.INVOKESPECIAL
                    && v.name().equalsString("<init>")) {
                if (!pendingNew.isEmpty() && pendingNew.peek().equals(v.owner().asInternalName())) {
                    pendingNew.pop();
                } else {
                    return i;
                }
            }
        }
        return -1;
    }
}
