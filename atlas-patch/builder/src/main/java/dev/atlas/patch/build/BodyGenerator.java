package dev.atlas.patch.build;

import dev.atlas.patch.classfile.ConstructorCall;
import dev.atlas.patch.format.FieldAddition;
import dev.atlas.patch.format.MethodChange;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.TypeKind;
import java.lang.classfile.attribute.SourceFileAttribute;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LineNumber;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.util.List;
import java.util.Map;

/**
 * Generates the hidden body class of one patched class, following the patch contract:
 * {@code replaced$m}/{@code added$m} static methods (receiver first for instance methods,
 * same local slots), {@code init$f} initialisers, the transfer hook and lambda copies.
 *
 * <p>Implementation notes: code is copied with {@link CodeRewriter}; stack maps are
 * generated afresh with the class hierarchy of the new build under loaded names; debug
 * line numbers are kept (stack traces point at the new source), local variable tables
 * are dropped.
 */
final class BodyGenerator {
    /** The transfer hook's body method when the hook method itself is unchanged. */
    static final String TRANSFER_COPY = "transfer$atlas$transfer";

    private BodyGenerator() {
    }

    /** The body class bytes of {@code plan}, named {@code bodyName}. */
    static byte[] generate(ClassDiff.Plan plan, GenContext ctx, String bodyName) {
        ClassModel src = plan.newModel();
        ClassDesc body = ClassDesc.ofInternalName(bodyName);
        ClassDesc self = ClassDesc.ofInternalName(plan.className());
        CodeRewriter rewriter = new CodeRewriter(ctx, src, body);
        int version = Math.max(src.majorVersion(), ClassFile.JAVA_8_VERSION);
        return ctx.classFile().build(body, clb -> {
            clb.withVersion(version, 0);
            clb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC);
            clb.withSuperclass(ConstantDescs.CD_Object);
            src.findAttribute(Attributes.sourceFile())
                    .ifPresent(sf -> clb.with(SourceFileAttribute.of(sf.sourceFile().stringValue())));
            StringBuilder monitors = new StringBuilder();
            for (MethodModel m : plan.replaced()) {
                copy(clb, rewriter, plan, m, MethodChange.bodyMethodNameFor(MethodChange.Kind.REPLACED, m.methodName().stringValue()), body);
                monitorKept(plan, ctx, m).ifPresent(n -> monitors.append(n).append('\n'));
            }
            String rebuild = ctx.rebuiltObjects.get(plan.className());
            if (rebuild != null) {   // the method the agent re-runs on objects made before the apply (ObjectRebuilds)
                clb.withField(dev.atlas.patch.format.ObjectRebuilds.FIELD, ConstantDescs.CD_String, fb -> fb
                        .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC)
                        .with(java.lang.classfile.attribute.ConstantValueAttribute.of(rebuild)));
            }
            var widened = WidenedAccess.members(plan.oldModel(), plan.newModel());
            if (!widened.isEmpty()) {   // the members whose calls from later-loaded code the agent links (WidenedMethods)
                clb.withField(dev.atlas.patch.format.WidenedMethods.FIELD, ConstantDescs.CD_String, fb -> fb
                        .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC)
                        .with(java.lang.classfile.attribute.ConstantValueAttribute.of(WidenedAccess.constant(widened))));
            }
            if (!monitors.isEmpty()) {   // what inspect and apply say of methods whose running monitor the new view keeps
                clb.withField(RemovedSynchronized.NOTE_FIELD, ConstantDescs.CD_String, fb -> fb
                        .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC)
                        .with(java.lang.classfile.attribute.ConstantValueAttribute.of(monitors.toString())));
            }
            for (MethodModel m : changedArguments(plan, ctx)) {
                clb.withMethod(MethodChange.bodyMethodNameFor(MethodChange.Kind.REPLACED, ConstructorCall.ARGUMENTS_METHOD),
                        MethodTypeDesc.ofDescriptor(ConstructorCall.argumentsDescriptor(
                                ctx.remap.map(m.methodTypeSymbol()).descriptorString())),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                        mb -> mb.transformCode(m.code().orElseThrow(), Constructors.arguments(m, rewriter)));
            }
            for (MethodModel m : plan.added()) {
                copy(clb, rewriter, plan, m, MethodChange.bodyMethodNameFor(MethodChange.Kind.ADDED, ClassDiff.addedName(plan.oldModel(), m)),
                        body);
            }
            for (MethodModel m : constructions(plan, ctx)) {
                MethodChange.Kind kind = plan.added().contains(m) ? MethodChange.Kind.ADDED : MethodChange.Kind.REPLACED;
                clb.withMethod(MethodChange.initArgsNameFor(MethodChange.bodyMethodNameFor(kind, "<init>")),
                        MethodTypeDesc.ofDescriptor(ConstructorCall.argumentsDescriptor(
                                ctx.remap.map(m.methodTypeSymbol()).descriptorString())),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                        mb -> mb.transformCode(m.code().orElseThrow(), Constructors.arguments(m, rewriter)));
            }
            MethodModel hook = plan.transferHook();
            if (hook != null && !plan.replaced().contains(hook) && !plan.added().contains(hook)) {
                copy(clb, rewriter, plan, hook, TRANSFER_COPY, body);
            }
            for (Map.Entry<String, Segment> e : plan.initializers().entrySet()) {
                ClassDesc type = ctx.remap.map(fieldType(plan, e.getKey()));
                MethodTypeDesc desc = e.getValue().instance() ? MethodTypeDesc.of(type, self) : MethodTypeDesc.of(type);
                Segment seg = e.getValue();
                String holder = e.getValue().instance() ? null
                        : ctx.addedStaticHolders.get(plan.newModel().thisClass().asInternalName() + "." + e.getKey());
                if (holder != null) {
                    // valued together with the class's other added statics, by the holder's initialiser (AddedStatics)
                    ClassDesc h = ctx.remap.map(ClassDesc.ofInternalName(holder));
                    clb.withMethodBody(FieldAddition.initializerNameFor(RetypedFields.addedName(plan.oldModel(), e.getKey())), desc,
                            ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                            cb -> cb.getstatic(h, e.getKey(), type).return_(TypeKind.from(type)));
                    continue;
                }
                clb.withMethod(FieldAddition.initializerNameFor(RetypedFields.addedName(plan.oldModel(), e.getKey())), desc,
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                        mb -> mb.transformCode(seg.source().code().orElseThrow(), new SegmentCopy(seg, rewriter, TypeKind.from(type))));
            }
            for (java.lang.classfile.FieldModel f : plan.newFields()) {
                String n = f.fieldName().stringValue();
                java.util.Optional<java.lang.classfile.FieldModel> running = RetypedFields.running(plan.oldModel(), f);
                if (running.isPresent() && RetypedFields.carries(running.get(), f) && !plan.initializers().containsKey(n)) {
                    RetypedFields.carry(clb, FieldAddition.initializerNameFor(RetypedFields.addedName(plan.oldModel(), n)), self,
                            running.get(), ctx.remap.map(f.fieldTypeSymbol()));
                }
            }
            for (Map.Entry<String, Segment> e : plan.viewStatics().entrySet()) {
                ClassDesc type = plan.newModel().fields().stream().filter(f -> f.fieldName().equalsString(e.getKey()))
                        .findFirst().orElseThrow().fieldTypeSymbol();
                Segment seg = e.getValue();
                clb.withMethod(FieldAddition.initializerNameFor(StaticState.PREFIX + e.getKey()), MethodTypeDesc.of(ctx.remap.map(type)),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                        mb -> mb.transformCode(seg.source().code().orElseThrow(), new SegmentCopy(seg, rewriter, TypeKind.from(type))));
            }
            for (Map.Entry<String, ConstantDesc> e : plan.constantInitializers().entrySet()) {
                ClassDesc type = ctx.remap.map(fieldType(plan, e.getKey()));
                clb.withMethodBody(FieldAddition.initializerNameFor(e.getKey()), MethodTypeDesc.of(type),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, cb -> cb.loadConstant(e.getValue()).return_(TypeKind.from(type)));
            }
            while (!rewriter.pendingCopies().isEmpty()) {
                CodeRewriter.Copy c = rewriter.pendingCopies().poll();
                clb.withMethod(c.name(), c.descriptor(), ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC | ClassFile.ACC_SYNTHETIC,
                        mb -> mb.transformCode(c.method().code().orElseThrow(), rewriter));
            }
        });
    }

    /** The constructors of {@code plan} that run through the re-routing guards ({@link Constructors#initCall}). */
    static List<MethodModel> constructions(ClassDiff.Plan plan, GenContext ctx) {
        List<MethodModel> out = new java.util.ArrayList<>();
        for (MethodModel m : plan.replaced()) {
            if (Constructors.initCall(plan, m, ctx) != null) {
                out.add(m);
            }
        }
        for (MethodModel m : plan.added()) {
            if (Constructors.initCall(plan, m, ctx) != null) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * The replaced constructors of {@code plan} whose {@code super(..)}/{@code this(..)} arguments
     * changed while the call stayed the same.
     */
    static List<MethodModel> changedArguments(ClassDiff.Plan plan, GenContext ctx) {
        List<MethodModel> out = new java.util.ArrayList<>();
        for (MethodModel m : plan.replaced()) {
            if (!m.methodName().equalsString("<init>") || Constructors.initCall(plan, m, ctx) != null) {
                continue;
            }
            plan.oldModel().methods().stream().filter(o -> o.methodName().equalsString("<init>")
                    && o.methodType().equalsString(ctx.remap.map(m.methodTypeSymbol()).descriptorString())).findFirst()
                    .filter(o -> Constructors.argumentsChanged(o, m, ClassDiff.canon(plan.oldModel(), java.util.function.UnaryOperator.identity()),
                            ClassDiff.canon(plan.newModel(), ctx.remap::name)))
                    .ifPresent(o -> out.add(m));
        }
        return out;
    }

    /** The note of a replaced method that the running class declares synchronized and the new release does not. */
    private static java.util.Optional<String> monitorKept(ClassDiff.Plan plan, GenContext ctx, MethodModel m) {
        if ((m.flags().flagsMask() & ClassFile.ACC_SYNCHRONIZED) != 0 || m.methodName().stringValue().startsWith("<")) {
            return java.util.Optional.empty();
        }
        String desc = ctx.remap.map(m.methodTypeSymbol()).descriptorString();
        return plan.oldModel().methods().stream().filter(o -> o.methodName().equals(m.methodName())
                        && o.methodType().equalsString(desc) && (o.flags().flagsMask() & ClassFile.ACC_SYNCHRONIZED) != 0)
                .findFirst()
                .map(o -> RemovedSynchronized.check(ctx.newBuild, plan.className(), o, m))
                .filter(v -> v.refusal() == null)
                .map(v -> plan.className().replace('/', '.') + "." + m.methodName().stringValue()
                        + m.methodType().stringValue() + ": " + RemovedSynchronized.note(plan.className(), m, v.sharedCalls()));
    }

    /** Copies {@code m} as body method {@code name}; behind a locking wrapper when it must take its lock itself ({@link SynchronizedBody}). */
    private static void copy(java.lang.classfile.ClassBuilder clb, CodeRewriter rewriter, ClassDiff.Plan plan, MethodModel m, String name,
                             ClassDesc body) {
        CodeTransform code = m.methodName().equalsString("<init>") ? Constructors.body(m, rewriter) : rewriter;
        MethodTypeDesc desc = rewriter.bodyDescriptor(m);
        boolean lock = SynchronizedBody.needsLock(plan.oldModel(), m);
        int marked = plan.added().contains(m) && AbstractMethodBody.isAbstractInNewRelease(plan.newModel(), m)
                ? ClassFile.ACC_SYNTHETIC : 0;   // the agent's mark of an abstract method's body
        clb.withMethod(lock ? SynchronizedBody.innerName(name) : name, desc, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC | marked,
                mb -> mb.transformCode(m.code().orElseThrow(), code));
        if (lock) {
            SynchronizedBody.wrapper(clb, body, name, desc, ClassDiff.isStatic(m), ClassDesc.ofInternalName(plan.className()));
        }
    }

    private static ClassDesc fieldType(ClassDiff.Plan plan, String field) {
        return plan.newFields().stream().filter(f -> f.fieldName().equalsString(field)).findFirst().orElseThrow()
                .fieldTypeSymbol();
    }

    /** Copies only the value expression of a segment and returns it. */
    private static final class SegmentCopy implements CodeTransform {
        private final Segment seg;
        private final CodeRewriter rewriter;
        private final TypeKind returnKind;
        private int index;

        SegmentCopy(Segment seg, CodeRewriter rewriter, TypeKind returnKind) {
            this.seg = seg;
            this.rewriter = rewriter;
            this.returnKind = returnKind;
        }

        @Override
        public void accept(CodeBuilder cb, CodeElement e) {
            if (e instanceof Instruction) {
                if (index >= seg.valueStart() && index < seg.end()) {
                    rewriter.accept(cb, e);
                }
                index++;
            } else if ((e instanceof LabelTarget || e instanceof LineNumber)
                    && index >= seg.valueStart() && index <= seg.end()) {
                cb.with(e);
            }
        }

        @Override
        public void atEnd(CodeBuilder cb) {
            cb.return_(returnKind);
        }
    }
}
