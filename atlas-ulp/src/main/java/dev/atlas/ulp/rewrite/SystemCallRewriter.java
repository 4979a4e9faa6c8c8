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
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDesc;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rewrites one program class as it loads (ClassFile API) so that its calls to the JDK's
 * process-wide {@code System} (exit, standard streams, properties, environment, shutdown
 * hooks, relative paths, processes; the table is {@code Redirects}) go to the program's own
 * ({@code dev.atlas.ulp.system.ProgramSystem}). Method references to those members in
 * {@code invokedynamic} bootstrap arguments ({@code System::exit}, {@code Path::of}) are
 * redirected the same way. The threads, executors and timers the class creates are reported
 * to {@code dev.atlas.ulp.system.CreationHooks} ({@link CreationHook}).
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
            if (e instanceof MemberRefEntry r) {
                String owner = r.owner().asInternalName();
                String name = r.name().stringValue();
                if (Redirects.contains(owner, name, r.type().stringValue()) || CreationHook.ofConstructor(owner, name) != null
                        || CreationHook.isExecutorFactory(owner, name, r.type().stringValue())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The rewrite of one method body. Besides the table's redirects it reports to
     * {@code CreationHooks} every thread, executor and timer the method creates
     * ({@link CreationHook}): after {@code invokespecial X.<init>} of such a type the new object
     * is the copy javac's {@code new/dup} left on the stack, or {@code this} in a subclass
     * constructor's {@code super(..)} call (no {@code new X} pending); after an
     * {@code Executors.new*} call it is the result on top of the stack.
     */
    private static final class MethodRewrite {
        private final Map<CreationHook, Integer> pendingNews = new EnumMap<>(CreationHook.class);

        void rewriteElement(CodeBuilder cb, CodeElement el) {
            if (el instanceof NewObjectInstruction n) {
                CreationHook h = CreationHook.ofConstructor(n.className().asInternalName(), "<init>");
                if (h != null) {
                    pendingNews.merge(h, 1, Integer::sum);
                }
            } else if (el instanceof InvokeInstruction i && i.opcode() == Opcode.INVOKESPECIAL) {
                CreationHook h = CreationHook.ofConstructor(i.owner().asInternalName(), i.name().stringValue());
                if (h != null) {
                    cb.with(el);
                    if (pendingNews.getOrDefault(h, 0) > 0) {
                        pendingNews.merge(h, -1, Integer::sum);
                        cb.dup();
                    } else {
                        cb.aload(0);
                    }
                    h.call(cb);
                    return;
                }
            } else if (el instanceof InvokeInstruction i && i.opcode() == Opcode.INVOKESTATIC
                    && CreationHook.isExecutorFactory(i.owner().asInternalName(), i.name().stringValue(), i.type().stringValue())) {
                cb.with(el).dup();
                CreationHook.EXECUTOR.call(cb);
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
