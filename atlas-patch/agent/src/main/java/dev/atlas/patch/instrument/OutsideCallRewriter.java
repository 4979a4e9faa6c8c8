package dev.atlas.patch.instrument;

import dev.atlas.patch.runtime.MethodRegistry;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Instruction;
import java.lang.classfile.Opcode;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;

/**
 * Rewrites, in a class being loaded, the calls that name a method some applied patch added
 * ({@code invokevirtual}, {@code invokeinterface}, {@code invokestatic} and the super calls,
 * {@code invokespecial} of a method, whose name and descriptor match one, and the
 * {@code invokespecial} of a {@code new C(..)} expression whose descriptor matches an added
 * constructor's), into {@code invokedynamic} sites linked by
 * {@link dev.atlas.patch.runtime.OutsideCalls}: code
 * outside the patch that is loaded after the apply reaches the added method in the views that
 * have it and gets {@link NoSuchMethodError} in the others. Other instructions are left alone.
 *
 * <p>Implementation notes: only the name and descriptor are matched here (the owner named by
 * the instruction may be a subclass of the class the method was added to, which is not known
 * without loading it); the bootstrap links a method the class really has as the instruction
 * would. The constant pool is scanned first, so a class naming no added method is returned
 * untouched without a transformation. Class files older than Java 7 (no
 * {@code invokedynamic}) are left alone.
 *
 * <p>Threading: stateless; called on class-loading threads.
 */
final class OutsideCallRewriter {
    private static final DirectMethodHandleDesc BSM = ConstantDescs.ofCallsiteBootstrap(
            ClassDesc.of("dev.atlas.patch.runtime.OutsideCalls"), "link", ConstantDescs.CD_CallSite,
            ConstantDescs.CD_int, ConstantDescs.CD_String, ConstantDescs.CD_int);
    private static final DirectMethodHandleDesc BSM_NEW = ConstantDescs.ofCallsiteBootstrap(
            ClassDesc.of("dev.atlas.patch.runtime.OutsideCalls"), "linkNew", ConstantDescs.CD_CallSite,
            ConstantDescs.CD_int, ConstantDescs.CD_String);

    private OutsideCallRewriter() {}

    /** The class with its calls of added methods rewritten, or null if it names none. */
    static byte[] rewrite(MethodRegistry registry, ClassModel model, ClassFile cf) {
        if (!registry.hasAddedMethods() || model.majorVersion() < ClassFile.JAVA_7_VERSION || !namesAdded(registry, model)) {
            return null;
        }
        int link = registry.linkIndex();
        return cf.transformClass(model, ClassTransform.transformingMethods((mb, me) -> {
            if (me instanceof CodeModel code) {
                mb.transformCode(code, calls(registry, link, constructions(registry, code.elementList())));
            } else {
                mb.with(me);
            }
        }));
    }

    /** The transform of one method body; {@code constructions}: the positions of the invokespecials to rewrite. */
    private static CodeTransform calls(MethodRegistry registry, int link, BitSet constructions) {
        int[] at = {0};
        return (cob, coe) -> {
            int index = at[0]++;
            if (coe instanceof InvokeInstruction i && constructions.get(index)) {
                // new C(..) of an added constructor: built by the bootstrap's handle; the two references of
                // 'new C; dup' under the arguments (never initialised, as in the patch's own code) are dropped
                ClassDesc c = i.owner().asSymbol();
                cob.invokedynamic(DynamicCallSiteDesc.of(BSM_NEW, "new", i.typeSymbol().changeReturnType(c), link,
                        i.owner().asInternalName()));
                cob.dup_x2();
                cob.pop();
                cob.pop2();
            } else if (coe instanceof InvokeInstruction i && matches(registry, i)) {
                boolean st = i.opcode() == Opcode.INVOKESTATIC;
                MethodTypeDesc type = st ? i.typeSymbol() : i.typeSymbol().insertParameterTypes(0, i.owner().asSymbol());
                cob.invokedynamic(DynamicCallSiteDesc.of(BSM, i.name().stringValue(), type, link,
                        i.owner().asInternalName(), st ? 1 : i.opcode() == Opcode.INVOKESPECIAL ? 2 : 0));
            } else {
                cob.with(coe);
            }
        };
    }

    /**
     * The positions (in {@code elements}) of the {@code invokespecial <init>} instructions that
     * end a {@code new C; dup; ..} expression and name an added constructor. The instructions
     * are paired as javac nests them (each {@code new} with the next unpaired constructor call
     * of its class); a constructor call without a {@code new} before it (a constructor's
     * {@code super(..)}/{@code this(..)}) is left alone. Code that does not nest this way
     * (not javac's) is left alone whole.
     */
    static BitSet constructions(MethodRegistry registry, List<CodeElement> elements) {
        BitSet out = new BitSet();
        Deque<Object[]> open = new ArrayDeque<>();   // {owner, followed by dup}
        for (int i = 0; i < elements.size(); i++) {
            CodeElement e = elements.get(i);
            if (e instanceof NewObjectInstruction n) {
                open.push(new Object[] {n.className().asInternalName(), nextInstructionIsDup(elements, i)});
            } else if (e instanceof InvokeInstruction v && v.opcode() == Opcode.INVOKESPECIAL && v.name().equalsString("<init>")) {
                if (open.isEmpty()) {
                    continue;   // super(..) or this(..)
                }
                Object[] top = open.pop();
                if (!top[0].equals(v.owner().asInternalName())) {
                    return new BitSet();
                }
                if ((Boolean) top[1] && registry.namesAddedMethod("<init>", v.type().stringValue())) {
                    out.set(i);
                }
            }
        }
        return out;
    }

    private static boolean nextInstructionIsDup(List<CodeElement> elements, int i) {
        for (int j = i + 1; j < elements.size(); j++) {
            if (elements.get(j) instanceof Instruction next) {
                return next.opcode() == Opcode.DUP;
            }
        }
        return false;
    }

    private static boolean namesAdded(MethodRegistry registry, ClassModel model) {
        for (PoolEntry e : model.constantPool()) {
            if (e instanceof MemberRefEntry m && registry.hasAddedName(m.name().stringValue())
                    && registry.namesAddedMethod(m.name().stringValue(), m.type().stringValue())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(MethodRegistry registry, InvokeInstruction i) {
        return (i.opcode() == Opcode.INVOKEVIRTUAL || i.opcode() == Opcode.INVOKESTATIC || i.opcode() == Opcode.INVOKEINTERFACE
                || i.opcode() == Opcode.INVOKESPECIAL && !i.name().equalsString("<init>"))
                && !i.owner().asInternalName().startsWith("[")
                && registry.namesAddedMethod(i.name().stringValue(), i.type().stringValue());
    }
}
