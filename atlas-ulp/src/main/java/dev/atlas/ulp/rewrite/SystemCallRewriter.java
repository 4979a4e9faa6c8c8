package dev.atlas.ulp.rewrite;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Opcode;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDesc;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.List;
import java.util.Objects;

/**
 * Rewrites one program class as it loads (ClassFile API) so that its calls to the JDK's
 * process-wide {@code System} (exit, standard streams, properties, environment, shutdown
 * hooks, relative paths, processes; the table is {@code Redirects}) go to the program's own
 * ({@code dev.atlas.ulp.system.ProgramSystem}). Method references to those members in
 * {@code invokedynamic} bootstrap arguments ({@code System::exit}, {@code Path::of}) are
 * redirected the same way.
 *
 * {@snippet class=dev.atlas.ulp.snippets.UlpSnippets region=rewriter}
 *
 * <p>Thread safety: immutable; {@link #rewrite} may be called from any thread.
 *
 * <p>Implementation notes: a class whose constant pool names none of the redirected members
 * is returned as it is (no transform, no stack-map work). Every replacement leaves the stack
 * with the same types as the original instruction, so the regenerated stack maps only need
 * the class hierarchy for merges the original code already had.
 */
public final class SystemCallRewriter {
    private static final ClassDesc PROGRAM_SYSTEM = ClassDesc.of("dev.atlas.ulp.system.ProgramSystem");
    private static final ClassDesc REFLECTIVE_PATHS = ClassDesc.of("dev.atlas.ulp.system.ReflectivePaths");
    private static final MethodTypeDesc CONSTRUCTOR_ARGS = MethodTypeDesc.ofDescriptor(
            "(Ljava/lang/reflect/Constructor;[Ljava/lang/Object;)[Ljava/lang/Object;");
    private static final MethodTypeDesc PATH = MethodTypeDesc.ofDescriptor("(Ljava/lang/String;)Ljava/lang/String;");

    private static final MethodTypeDesc THREAD_CREATED = MethodTypeDesc.ofDescriptor("(Ljava/lang/Thread;)V");

    private final ClassFile classFile;

    /** A rewriter resolving the program's class hierarchy through {@code resolver}. */
    public SystemCallRewriter(ClassHierarchyResolver resolver) {
        this.classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(Objects.requireNonNull(resolver, "resolver")));
    }

    /**
     * The outcome for one class.
     *
     * @param bytes     the class file to define
     * @param rewritten whether any call site was redirected
     */
    public record Result(byte[] bytes, boolean rewritten) {
    }

    /**
     * Rewrites {@code bytes}.
     *
     * @throws IllegalArgumentException if the class file cannot be parsed or rewritten (the
     *                                  message names the reason)
     */
    public Result rewrite(byte[] bytes) {
        ClassModel model = classFile.parse(bytes);
        if (!mentionsRedirectedMember(model)) {
            return new Result(bytes, false);
        }
        CodeTransform code = CodeTransform.ofStateful(() -> new MethodRewrite()::rewriteElement);
        return new Result(classFile.transformClass(model, ClassTransform.transformingMethodBodies(code)), true);
    }

    private static boolean mentionsRedirectedMember(ClassModel model) {
        for (PoolEntry e : model.constantPool()) {
            if (e instanceof MemberRefEntry r
                    && (Redirects.contains(r.owner().asInternalName(), r.name().stringValue(), r.type().stringValue())
                        || isThreadConstructor(r.owner().asInternalName(), r.name().stringValue()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isThreadConstructor(String owner, String name) {
        return owner.equals("java/lang/Thread") && name.equals("<init>");
    }

    /**
     * The rewrite of one method body. Besides the table's redirects it reports every
     * {@code Thread} the method constructs to {@code ProgramSystem.threadCreated} (a thread
     * created by a program's virtual main thread must be non-daemon, as a real main thread's
     * child is): after {@code invokespecial Thread.<init>} the new thread is the copy javac's
     * {@code new/dup} left on the stack, or {@code this} in a subclass constructor's
     * {@code super(..)} call (no {@code new Thread} pending).
     */
    private static final class MethodRewrite {
        private int pendingNewThreads;

        void rewriteElement(CodeBuilder cb, CodeElement el) {
            if (el instanceof java.lang.classfile.instruction.NewObjectInstruction n
                    && n.className().asInternalName().equals("java/lang/Thread")) {
                pendingNewThreads++;
            } else if (el instanceof InvokeInstruction i && i.opcode() == Opcode.INVOKESPECIAL
                    && isThreadConstructor(i.owner().asInternalName(), i.name().stringValue())) {
                cb.with(el);
                if (pendingNewThreads > 0) {
                    pendingNewThreads--;
                    cb.dup();
                } else {
                    cb.aload(0);
                }
                cb.invokestatic(PROGRAM_SYSTEM, "threadCreated", THREAD_CREATED);
                return;
            }
            SystemCallRewriter.rewriteElement(cb, el);
        }
    }

    private static void rewriteElement(CodeBuilder cb, CodeElement el) {
        switch (el) {
            case InvokeInstruction i -> {
                Redirect r = Redirects.find(i.owner().asInternalName(), i.name().stringValue(), i.type().stringValue());
                if (r == null) {
                    cb.with(el);
                    return;
                }
                switch (r.kind()) {
                    case REPLACE -> cb.invokestatic(PROGRAM_SYSTEM, r.target(), MethodTypeDesc.ofDescriptor(r.desc()));
                    case PATH_ON_TOP -> cb.invokestatic(PROGRAM_SYSTEM, "path", PATH).with(el);
                    case PATH_UNDER_TOP -> cb.swap().invokestatic(PROGRAM_SYSTEM, "path", PATH).swap().with(el);
                    // [ctor, args] -> [ctor, ctor, args] -> [ctor, args'] -> newInstance
                    case CONSTRUCTOR_ARGS -> cb.swap().dup_x1().swap()
                            .invokestatic(REFLECTIVE_PATHS, "constructorArgs", CONSTRUCTOR_ARGS).with(el);
                }
            }
            case FieldInstruction f when f.opcode() == Opcode.GETSTATIC -> {
                Redirect r = Redirects.find(f.owner().asInternalName(), f.name().stringValue(), f.type().stringValue());
                if (r == null) {
                    cb.with(el);
                } else {
                    cb.invokestatic(PROGRAM_SYSTEM, r.target(), MethodTypeDesc.ofDescriptor(r.desc()));
                }
            }
            case InvokeDynamicInstruction indy -> {
                DynamicCallSiteDesc redirected = redirectMethodReferences(indy);
                if (redirected == null) {
                    cb.with(el);
                } else {
                    cb.invokedynamic(redirected);
                }
            }
            default -> cb.with(el);
        }
    }

    /** The call site with its method-handle arguments redirected, or null if none is. */
    private static DynamicCallSiteDesc redirectMethodReferences(InvokeDynamicInstruction indy) {
        List<ConstantDesc> args = indy.bootstrapArgs();
        ConstantDesc[] out = args.toArray(ConstantDesc[]::new);
        boolean changed = false;
        for (int k = 0; k < out.length; k++) {
            if (out[k] instanceof DirectMethodHandleDesc d && isMethodCall(d.kind())) {
                String owner = d.owner().descriptorString();
                Redirect r = Redirects.find(owner.substring(1, owner.length() - 1), d.methodName(), d.lookupDescriptor());
                if (r != null && r.kind() == Redirect.Kind.REPLACE) {
                    out[k] = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC, PROGRAM_SYSTEM, r.target(),
                            MethodTypeDesc.ofDescriptor(r.desc()));
                    changed = true;
                }
            }
        }
        if (!changed) {
            return null;
        }
        return DynamicCallSiteDesc.of(indy.bootstrapMethod(), indy.name().stringValue(), indy.typeSymbol(), out);
    }

    private static boolean isMethodCall(DirectMethodHandleDesc.Kind kind) {
        return switch (kind) {
            case STATIC, INTERFACE_STATIC, VIRTUAL, INTERFACE_VIRTUAL -> true;
            default -> false;
        };
    }
}
