package dev.atlas.patch.build;

import dev.atlas.patch.classfile.CanonicalCode;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.CharacterRange;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LocalVariable;
import java.lang.classfile.instruction.LocalVariableType;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.lang.classfile.instruction.TypeCheckInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rewrites code of the new build so that it runs from a body class (or as an added class):
 * class names mapped, links to added methods, new fields, super calls and protected members
 * of other packages turned into {@code invokedynamic}s of the runtime's {@code PatchLinker},
 * private calls made nestmate calls, and lambdas pointed at copies in the body class.
 *
 * <p>Implementation notes: one instance per generated class; it collects the lambda bodies
 * it points at in {@link #pendingCopies()}, which the generator drains (copies may request
 * further copies). Problems go to {@link GenContext#problems}. Single-threaded.
 */
final class CodeRewriter implements CodeTransform {
    static final ClassDesc LINKER = ClassDesc.of("dev.atlas.patch.runtime.PatchLinker");
    private static final ClassDesc LMF = ClassDesc.of("java.lang.invoke.LambdaMetafactory");
    private static final MethodTypeDesc LINK_MEMBER = MethodTypeDesc.of(ConstantDescs.CD_CallSite,
            ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String, ConstantDescs.CD_MethodType,
            ConstantDescs.CD_String, ConstantDescs.CD_String, ConstantDescs.CD_String, ConstantDescs.CD_int);
    private static final MethodTypeDesc LINK_SUPER = MethodTypeDesc.of(ConstantDescs.CD_CallSite,
            ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String, ConstantDescs.CD_MethodType,
            ConstantDescs.CD_String, ConstantDescs.CD_String);
    private static final MethodTypeDesc LINK_SUPER_ADDED = MethodTypeDesc.of(ConstantDescs.CD_CallSite,
            ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String, ConstantDescs.CD_MethodType,
            ConstantDescs.CD_String, ConstantDescs.CD_String, ConstantDescs.CD_String);
    private static final ClassDesc CONSTRUCTIONS = ClassDesc.of("dev.atlas.patch.runtime.Constructions");
    private static final MethodTypeDesc LINK_VIRTUAL = MethodTypeDesc.of(ConstantDescs.CD_CallSite,
            ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String, ConstantDescs.CD_MethodType,
            ConstantDescs.CD_String, ConstantDescs.CD_String, ConstantDescs.CD_int);

    /** A lambda body copied into the body class. */
    record Copy(MethodModel method, String name, MethodTypeDesc descriptor) {
    }

    private final GenContext ctx;
    private final ClassModel self;
    private final String selfNew;
    private final ClassDesc selfLoaded;
    private final ClassDesc bodyClass;
    private final Map<String, Copy> copies = new LinkedHashMap<>();
    private final Deque<Copy> pending = new ArrayDeque<>();
    /** The classes of the {@code new} instructions whose constructor call has not come yet (javac nests them). */
    private final Deque<String> openNews = new ArrayDeque<>();

    /**
     * @param self the new-build class whose code is rewritten
     * @param bodyClass the body class the code goes into, or null when rewriting an added class itself
     */
    CodeRewriter(GenContext ctx, ClassModel self, ClassDesc bodyClass) {
        this.ctx = ctx;
        this.self = self;
        this.selfNew = self.thisClass().asInternalName();
        this.selfLoaded = ClassDesc.ofInternalName(ctx.remap.name(selfNew));
        this.bodyClass = bodyClass;
    }

    Deque<Copy> pendingCopies() {
        return pending;
    }

    /** The descriptor of a body method for {@code m}: the receiver first if {@code m} is an instance method. */
    MethodTypeDesc bodyDescriptor(MethodModel m) {
        MethodTypeDesc d = ctx.remap.map(m.methodTypeSymbol());
        return (m.flags().flagsMask() & ClassFile.ACC_STATIC) != 0 ? d : d.insertParameterTypes(0, selfLoaded);
    }

    private void problem(String member, String reason) {
        ctx.problems.add(new Refusal(ctx.remap.name(selfNew), member, reason));
    }

    @Override
    public void accept(CodeBuilder cb, CodeElement e) {
        switch (e) {
            case LocalVariable lv -> {
            }
            case LocalVariableType lvt -> {
            }
            case CharacterRange cr -> {
            }
            case FieldInstruction f -> field(cb, f);
            case InvokeInstruction v -> invoke(cb, v);
            case InvokeDynamicInstruction d -> indy(cb, d);
            case NewObjectInstruction n -> {
                openNews.push(n.className().asInternalName());
                cb.new_(map(n.className().asSymbol()));
            }
            case NewReferenceArrayInstruction a -> cb.anewarray(map(a.componentType().asSymbol()));
            case NewMultiArrayInstruction a -> cb.multianewarray(map(a.arrayType().asSymbol()), a.dimensions());
            case TypeCheckInstruction t -> {
                if (t.opcode() == Opcode.CHECKCAST) {
                    cb.checkcast(map(t.type().asSymbol()));
                } else {
                    cb.instanceOf(map(t.type().asSymbol()));
                }
            }
            case ConstantInstruction.LoadConstantInstruction c when !(c.constantValue() instanceof Number)
                    && !(c.constantValue() instanceof String) -> cb.ldc(ctx.remap.map(c.constantValue()));
            case ExceptionCatch c -> {
                if (c.catchType().isPresent()) {
                    cb.exceptionCatch(c.tryStart(), c.tryEnd(), c.handler(), map(c.catchType().get().asSymbol()));
                } else {
                    cb.exceptionCatchAll(c.tryStart(), c.tryEnd(), c.handler());
                }
            }
            default -> cb.with(e);
        }
    }

    private ClassDesc map(ClassDesc d) {
        return ctx.remap.map(d);
    }

    private ClassDesc loaded(String newName) {
        return ClassDesc.ofInternalName(ctx.remap.name(newName));
    }

    private boolean otherPackage(String declaring) {
        return !Hierarchy.packageOf(declaring).equals(Hierarchy.packageOf(selfNew));
    }

    /**
     * A private member this code cannot reach directly. Added classes belong to no nest; a
     * body class is defined as an ordinary class beside its class (so that its frames keep
     * their source file and line numbers in stack traces), a nestmate of nobody, so every
     * private member it uses goes through the linker. (Private constructors are the
     * exception: {@code new} cannot go through a link, so a body that calls one is defined
     * as a hidden nestmate by the agent; private constructors of added classes are made
     * package-private by {@link AddedClassWriter}.) A member whose access the new release
     * widened is judged by the running member's access ({@link WidenedAccess}).
     */
    private boolean unreachablePrivate(Hierarchy.Member m) {
        Hierarchy.Member r = WidenedAccess.running(ctx, m);
        if (r != m && !r.isPrivate() && (r.flags() & ClassFile.ACC_PUBLIC) == 0 && otherPackage(m.declaringClass())) {
            return true;   // the new release widened it beyond what the running member allows here (WidenedAccess)
        }
        return r.isPrivate() && (bodyClass != null || !m.declaringClass().equals(selfNew));
    }

    /** A member that cannot be resolved because a class of its owner's hierarchy is unknown: refused. */
    private void unresolved(String owner, String member) {
        ctx.newBuild.missingSupertype(owner).ifPresent(missing -> problem(member, "cannot resolve " + owner + "."
                + member + ": class " + missing + " is in neither build nor the classpath (add the libraries "
                + "with BuildOptions.withClasspath)"));
    }

    private void field(CodeBuilder cb, FieldInstruction f) {
        String owner = f.owner().asInternalName();
        String name = f.name().stringValue();
        ClassDesc type = f.typeSymbol();
        boolean isStatic = f.opcode() == Opcode.GETSTATIC || f.opcode() == Opcode.PUTSTATIC;
        boolean get = f.opcode() == Opcode.GETSTATIC || f.opcode() == Opcode.GETFIELD;
        Optional<Hierarchy.Member> m = ctx.newBuild.resolveField(owner, name, f.type().stringValue());
        if (m.isEmpty()) {
            unresolved(owner, name);
        }
        String holder = m.isPresent() && isStatic ? ctx.viewHolder(m.get().declaringClass(), name) : null;
        if (holder != null) {
            cb.fieldAccess(f.opcode(), loaded(holder), name, map(type));   // the new view's own static state
            return;
        }
        if (m.isPresent() && f.opcode() == Opcode.GETFIELD && ctx.constantStates.containsKey(m.get().declaringClass())) {
            // an instance field of an enum whose running constants have twins in the new view (EnumConstantStates)
            ClassDesc o = loaded(m.get().declaringClass());
            cb.invokedynamic(DynamicCallSiteDesc.of(link("linkConstantState", LINK_SUPER), name,
                    MethodTypeDesc.of(map(type), o), internal(o), internal(loaded(ctx.constantStates.get(m.get().declaringClass())))));
            return;
        }
        boolean viewCopy = m.isPresent() && f.opcode() == Opcode.GETSTATIC && ctx.isViewStatic(m.get().declaringClass(), name);
        if (m.isPresent() && (viewCopy || ctx.isAddedField(m.get().declaringClass(), name))) {
            ClassDesc o = loaded(m.get().declaringClass());
            ClassDesc t = map(type);
            MethodTypeDesc site = get
                    ? (isStatic ? MethodTypeDesc.of(t) : MethodTypeDesc.of(t, o))
                    : (isStatic ? MethodTypeDesc.of(ConstantDescs.CD_void, t) : MethodTypeDesc.of(ConstantDescs.CD_void, o, t));
            cb.invokedynamic(DynamicCallSiteDesc.of(link("linkField", LINK_MEMBER), get ? "get" : "put", site,
                    internal(o), viewCopy ? StaticState.PREFIX + name : ctx.addedFieldName(m.get().declaringClass(), name),
                    t.descriptorString(), isStatic ? 1 : 0));
            return;
        }
        if (bodyClass != null && f.opcode() == Opcode.PUTFIELD && m.isPresent() && m.get().isFinal()
                && m.get().declaringClass().equals(selfNew)) {
            // a changed constructor's body sets a final field: only <init> of the class may putfield it
            ClassDesc t = map(type);
            cb.invokedynamic(DynamicCallSiteDesc.of(link("linkVirtual", LINK_VIRTUAL), name,
                    MethodTypeDesc.of(ConstantDescs.CD_void, selfLoaded, t), internal(selfLoaded), internal(selfLoaded), 6));
            return;
        }
        boolean privateOfAnother = m.isPresent() && unreachablePrivate(m.get());
        if (privateOfAnother || bodyClass != null && m.isPresent() && m.get().isProtected() && otherPackage(m.get().declaringClass())) {
            int kind = switch (f.opcode()) {
                case GETFIELD -> 1;
                case PUTFIELD -> 2;
                case GETSTATIC -> 4;
                default -> 5;
            };
            ClassDesc o = privateOfAnother ? loaded(m.get().declaringClass()) : loaded(owner);
            ClassDesc t = map(type);
            MethodTypeDesc site = switch (kind) {
                case 1 -> MethodTypeDesc.of(t, o);
                case 2 -> MethodTypeDesc.of(ConstantDescs.CD_void, o, t);
                case 4 -> MethodTypeDesc.of(t);
                default -> MethodTypeDesc.of(ConstantDescs.CD_void, t);
            };
            cb.invokedynamic(DynamicCallSiteDesc.of(link("linkVirtual", LINK_VIRTUAL), name, site, internal(o),
                    ctx.remap.name(m.get().declaringClass()), kind));
            return;
        }
        cb.fieldAccess(f.opcode(), loaded(owner), name, map(type));
    }

    private static String internal(ClassDesc d) {
        return CanonicalCode.internalName(d);
    }

    private static DirectMethodHandleDesc link(String name, MethodTypeDesc type) {
        return MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC, LINKER, name, type);
    }

    /**
     * {@code super(..)} (in an added class's constructor) of a constructor the patch adds to
     * the superclass, which the loaded superclass lacks: the construction is left pending for
     * the superclass's entry constructor (the first of its old release, whose re-routing guard
     * takes it), which is called with placeholders; then {@code Constructions.handedOver()}.
     */
    private void superOfAdded(CodeBuilder cb, String owner, ClassDesc ownerDesc, MethodTypeDesc type) {
        String entry = entryDescriptor(ctx.oldModels.get(ctx.remap.name(owner)));
        if (entry == null) {
            problem("<init>", "calls super(..) of a constructor the patch adds to " + ctx.remap.name(owner)
                    + ", whose old release has no constructor with a super(..)/this(..) call to hand the construction to; "
                    + "remedy: restart on the new release");
            cb.invokespecial(ownerDesc, "<init>", type);
            return;
        }
        cb.invokedynamic(DynamicCallSiteDesc.of(link("linkSuperAdded", LINK_SUPER_ADDED), "pend", type,
                internal(ownerDesc), type.descriptorString(), entry));
        MethodTypeDesc entryType = MethodTypeDesc.ofDescriptor(entry);
        for (ClassDesc p : entryType.parameterList()) {
            switch (java.lang.classfile.TypeKind.from(p)) {
                case LONG -> cb.lconst_0();
                case FLOAT -> cb.fconst_0();
                case DOUBLE -> cb.dconst_0();
                case REFERENCE -> cb.aconst_null();
                default -> cb.iconst_0();
            }
        }
        cb.invokespecial(ownerDesc, "<init>", entryType);
        cb.invokestatic(CONSTRUCTIONS, "handedOver", MethodTypeDesc.of(ConstantDescs.CD_void));
    }

    /** The descriptor of the entry constructor the agent gives {@code old}: its first constructor with a super(..)/this(..) call. */
    static String entryDescriptor(ClassModel old) {
        if (old == null) {
            return null;
        }
        for (MethodModel m : old.methods()) {
            if (m.methodName().equalsString("<init>") && m.code().isPresent()
                    && dev.atlas.patch.classfile.ConstructorCall.index(m.code().get().elementList()) >= 0) {
                return m.methodType().stringValue();
            }
        }
        return null;
    }

    /**
     * The descriptor of a call of a method or constructor of a running class: {@code mapped}
     * (the added classes it names under the patch's names), unless it names a class that both
     * builds have under one name but that the patch adds under its own (its shape changed) and the
     * old build declares the member with the descriptor as written: then the running member's own.
     * javac's constructor access tag is such a class: commons-compress 1.16 reuses
     * {@code ZipArchiveInputStream$1}, an empty tag in 1.15, for a switch map, and its new code
     * calls the unchanged {@code CurrentEntry.<init>(ZipArchiveInputStream$1)} with {@code null}.
     * A value of the patch's class where the running member expects the running one fails
     * verification when the agent defines the code (the apply is refused, nothing changed).
     */
    private MethodTypeDesc runningDescriptor(String loadedOwner, String name, String desc, MethodTypeDesc mapped) {
        if (mapped.descriptorString().equals(desc)) {
            return mapped;
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ClassModel c = ctx.oldModels.get(loadedOwner); c != null && seen.add(c.thisClass().asInternalName());
             c = c.superclass().map(e -> ctx.oldModels.get(e.asInternalName())).orElse(null)) {
            if (c.methods().stream().anyMatch(m -> m.methodName().equalsString(name) && m.methodType().equalsString(desc))) {
                return MethodTypeDesc.ofDescriptor(desc);
            }
        }
        return mapped;
    }

    private void invoke(CodeBuilder cb, InvokeInstruction v) {
        String owner = v.owner().asInternalName();
        String name = v.name().stringValue();
        String desc = v.type().stringValue();
        MethodTypeDesc type = ctx.addedClasses.contains(owner) || ctx.isAddedMethod(owner, name, desc)
                ? ctx.remap.map(v.typeSymbol()) : runningDescriptor(ctx.remap.name(owner), name, desc, ctx.remap.map(v.typeSymbol()));
        ClassDesc ownerDesc = owner.startsWith("[") ? map(ClassDesc.ofDescriptor(owner)) : loaded(owner);
        boolean constructs = name.equals("<init>") && v.opcode() == Opcode.INVOKESPECIAL && !openNews.isEmpty()
                && openNews.peek().equals(owner);
        if (constructs) {
            openNews.pop();
        }
        if (name.equals("<init>") && v.opcode() == Opcode.INVOKESPECIAL && !constructs && ctx.isAddedMethod(owner, name, desc)) {
            superOfAdded(cb, owner, ownerDesc, type);
            return;
        }
        if (name.equals("<init>") && v.opcode() == Opcode.INVOKESPECIAL && ctx.isAddedMethod(owner, name, desc)) {
            // new C(..) of a constructor the patch adds: the re-routing guard of the class's first constructor builds it;
            // the stack holds the two references of javac's 'new C; dup' under the arguments, never initialised
            cb.invokedynamic(DynamicCallSiteDesc.of(link("linkNew", LINK_SUPER), "new",
                    type.changeReturnType(ownerDesc), internal(ownerDesc), type.descriptorString()));
            cb.dup_x2();
            cb.pop();
            cb.pop2();
            return;
        }
        if (name.equals("<init>")) {
            Optional<Hierarchy.Member> ctor = ctx.newBuild.resolveMethod(owner, name, desc);
            if (ctor.isPresent() && WidenedAccess.isWidened(ctx, ctor.get()) && !ctor.get().declaringClass().equals(selfNew)
                    && unreachablePrivate(ctor.get())) {
                problem(name + desc, "calls a constructor of " + owner + " whose access the new release widened: the "
                        + "running constructor keeps its access, and a construction cannot go through a link; remedy: "
                        + "restart on the new release");
            }
            if (bodyClass == null && !ctx.addedClasses.contains(owner) && ctx.newBuild.resolveMethod(owner, name, desc)
                    .filter(this::unreachablePrivate).isPresent()) {
                problem(name + desc, "added class calls a private constructor of " + owner
                        + " (an added class is no nestmate of it): make the constructor package-private");
            }
            cb.invoke(v.opcode(), ownerDesc, name, type, v.isInterface());
            return;
        }
        Optional<Hierarchy.Member> m = ctx.newBuild.resolveMethod(owner, name, desc);
        if (m.isEmpty() && !owner.equals("java/lang/invoke/MethodHandle") && !owner.equals("java/lang/invoke/VarHandle")) {
            unresolved(owner, name + desc);
        }
        Optional<FieldInstruction> getter = m.isEmpty() || v.opcode() != Opcode.INVOKESTATIC ? Optional.empty()
                : ctx.newBuild.model(m.get().declaringClass()).flatMap(c -> c.methods().stream()
                        .filter(x -> x.methodName().equalsString(name) && x.methodType().equalsString(desc)).findFirst())
                        .flatMap(FieldAccessors::staticGetter)
                        .filter(g -> ctx.viewHolder(g.owner().asInternalName(), g.name().stringValue()) != null
                                || ctx.isViewStatic(g.owner().asInternalName(), g.name().stringValue()));
        if (getter.isPresent()) {
            field(cb, getter.get());   // a compiler's accessor of a field the new view has its own copy of
            return;
        }
        if (m.isPresent() && ctx.isAddedMethod(m.get().declaringClass(), name, desc)) {
            // a super call (invokespecial, not of a private method) has exact, non-virtual semantics: the method it
            // resolves to in the new build (the nearest superclass declaring it, or I.super.m()'s interface) is the one
            // that runs, so it links to that added method's body itself, with no selection on the receiver
            boolean superCall = v.opcode() == Opcode.INVOKESPECIAL && !m.get().isPrivate();
            boolean isStatic = m.get().isStatic();
            ClassDesc o = loaded(m.get().declaringClass());
            MethodTypeDesc site = isStatic ? type : type.insertParameterTypes(0, o);
            String loadedName = ctx.addedName(m.get().declaringClass(), name, desc);
            // 2: a super call of a method the patch adds (that body, no selection on the receiver)
            cb.invokedynamic(DynamicCallSiteDesc.of(link("linkAdded", LINK_MEMBER), loadedName, site, internal(o), loadedName,
                    type.descriptorString(), isStatic ? 1 : superCall ? 2 : 0));
            return;
        }
        if (m.isPresent() && v.opcode() == Opcode.INVOKESPECIAL && !m.get().isPrivate() && WidenedAccess.isWidened(ctx, m.get())
                && unreachablePrivate(m.get())) {
            problem(name + desc, "super call of " + m.get().declaringClass() + "." + name + ", whose access the new "
                    + "release widened beyond the running method's; remedy: restart on the new release");
        }
        if (m.isPresent() && unreachablePrivate(m.get())) {
            // added classes are nobody's nestmates: private members across them go through the linker
            boolean isStatic = m.get().isStatic();
            ClassDesc d = loaded(m.get().declaringClass());
            cb.invokedynamic(DynamicCallSiteDesc.of(link("linkVirtual", LINK_VIRTUAL), name,
                    isStatic ? type : type.insertParameterTypes(0, d), internal(d), internal(d), isStatic ? 3 : 0));
            return;
        }
        if (v.opcode() == Opcode.INVOKESPECIAL && bodyClass != null) {
            if (m.isPresent() && m.get().isPrivate() || owner.equals(selfNew)) {
                cb.invoke(v.isInterface() ? Opcode.INVOKEINTERFACE : Opcode.INVOKEVIRTUAL, ownerDesc, name, type, v.isInterface());
            } else {
                cb.invokedynamic(DynamicCallSiteDesc.of(MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC,
                        LINKER, "linkSuper", LINK_SUPER), name, type.insertParameterTypes(0, selfLoaded),
                        internal(selfLoaded), internal(ownerDesc)));
            }
            return;
        }
        if (bodyClass != null && m.isPresent() && m.get().isProtected() && otherPackage(m.get().declaringClass())
                && (v.opcode() == Opcode.INVOKEVIRTUAL || v.opcode() == Opcode.INVOKESTATIC)) {
            boolean isStatic = v.opcode() == Opcode.INVOKESTATIC;
            cb.invokedynamic(DynamicCallSiteDesc.of(link("linkVirtual", LINK_VIRTUAL), name,
                    isStatic ? type : type.insertParameterTypes(0, ownerDesc), internal(ownerDesc),
                    ctx.remap.name(m.get().declaringClass()), isStatic ? 3 : 0));
            return;
        }
        cb.invoke(v.opcode(), ownerDesc, name, type, v.isInterface());
    }

    private void indy(CodeBuilder cb, InvokeDynamicInstruction d) {
        DirectMethodHandleDesc bsm = d.bootstrapMethod();
        List<ConstantDesc> args = d.bootstrapArgs();
        ConstantDesc[] mapped = args.stream().map(ctx.remap::map).toArray(ConstantDesc[]::new);
        if (bsm.owner().equals(LMF) && bsm.methodName().equals("altMetafactory") && args.size() >= 4
                && args.get(3) instanceof Integer flags && (flags & 1) != 0) {
            problem(d.name().stringValue(), "serializable lambda in new code (it would deserialize through a hidden "
                    + "class): make it non-serializable or a named class");
        }
        for (ConstantDesc a : args) {
            if (a instanceof DirectMethodHandleDesc h && h.kind() != DirectMethodHandleDesc.Kind.GETTER
                    && h.kind() != DirectMethodHandleDesc.Kind.SETTER && h.kind() != DirectMethodHandleDesc.Kind.STATIC_GETTER
                    && h.kind() != DirectMethodHandleDesc.Kind.STATIC_SETTER) {
                ctx.newBuild.resolveMethod(internal(h.owner()), h.methodName(), h.lookupDescriptor())
                        .filter(x -> WidenedAccess.isWidened(ctx, x) && unreachablePrivate(x))
                        .ifPresent(x -> problem(x.name() + x.descriptor(), "method reference to " + x.declaringClass() + "."
                                + x.name() + ", whose access the new release widened beyond the running method's (use a "
                                + "lambda that calls it)"));
            }
        }
        if (bsm.owner().equals(LMF) && args.size() >= 3 && args.get(1) instanceof DirectMethodHandleDesc impl) {
            String implOwner = internal(impl.owner());
            if (bodyClass != null && implOwner.equals(selfNew)) {
                Optional<MethodModel> target = self.methods().stream()
                        .filter(mm -> mm.methodName().equalsString(impl.methodName())
                                && mm.methodType().equalsString(impl.lookupDescriptor()))
                        .findFirst();
                if (target.isPresent() && ClassDiff.isLambdaBody(target.get())) {
                    Copy copy = copies.computeIfAbsent(impl.methodName() + impl.lookupDescriptor(), k -> {
                        Copy c = new Copy(target.get(), target.get().methodName().stringValue(), bodyDescriptor(target.get()));
                        pending.add(c);
                        return c;
                    });
                    mapped[1] = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC, bodyClass, copy.name(), copy.descriptor());
                } else if (ctx.isAddedMethod(implOwner, impl.methodName(), impl.lookupDescriptor())) {
                    if (impl.kind() == DirectMethodHandleDesc.Kind.STATIC) {
                        mapped[1] = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC, bodyClass,
                                "added$" + ctx.addedName(implOwner, impl.methodName(), impl.lookupDescriptor()), ctx.remap.map(MethodTypeDesc.ofDescriptor(impl.lookupDescriptor())));
                    } else {
                        problem(impl.methodName() + impl.lookupDescriptor(), "method reference to an instance method the "
                                + "patch adds (use a lambda that calls it)");
                    }
                }
            } else if (ctx.isAddedMethod(implOwner, impl.methodName(), impl.lookupDescriptor())) {
                problem(impl.methodName() + impl.lookupDescriptor(), "method reference to a method the patch adds to "
                        + implOwner + " (use a lambda that calls it)");
            }
        }
        cb.invokedynamic(DynamicCallSiteDesc.of(ctx.remap.map(bsm), d.name().stringValue(),
                ctx.remap.map(d.typeSymbol()), mapped));
    }
}
