package dev.atlas.patch.runtime;

import dev.atlas.patch.shadow.ShadowFields;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * Links a patch's code to the members that <em>earlier</em> patches added. A patch built
 * from build N to build N+1, where build N was itself patched in (patch on patch), refers
 * to the fields and methods build N added as if they were ordinary members; the loaded
 * class does not have them. Before the new code is defined, such references are rewritten
 * to the same {@code invokedynamic} links the builder emits for members it adds itself
 * (shadow-field accesses, view-dispatched calls of added methods).
 *
 * <p>Threading: called by the preparing thread only.
 */
final class MemberFixups {
    private static final ClassDesc LINKER = ClassDesc.of("dev.atlas.patch.runtime.PatchLinker");
    private static final MethodTypeDesc LINK_MEMBER = MethodTypeDesc.of(ConstantDescs.CD_CallSite,
            ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String, ConstantDescs.CD_MethodType,
            ConstantDescs.CD_String, ConstantDescs.CD_String, ConstantDescs.CD_String, ConstantDescs.CD_int);
    private static final DirectMethodHandleDesc LINK_FIELD = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC,
            LINKER, "linkField", LINK_MEMBER);
    private static final DirectMethodHandleDesc LINK_ADDED = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC,
            LINKER, "linkAdded", LINK_MEMBER);

    private final MethodRegistry registry;
    private final ShadowFields fields;

    MemberFixups(MethodRegistry registry, ShadowFields fields) {
        this.registry = registry;
        this.fields = fields;
    }

    /** The class bytes with references to earlier patches' members linked; the same array if there are none. */
    byte[] apply(ClassLoader loader, byte[] bytes) {
        ClassModel model = ClassFile.of().parse(bytes);
        if (!needsFixup(loader, model)) {
            return bytes;
        }
        CodeTransform rewrite = new Rewrite(loader);
        return ClassFile.of().transformClass(model, ClassTransform.transformingMethodBodies(rewrite));
    }

    /**
     * Checks that every class the new code names exists in {@code loader} or is added by the
     * patch itself (a class added by an earlier patch is not: it was renamed when defined).
     *
     * <p>A missing class that the running class names too ({@code alsoNamedByRunningClass}: an
     * optional dependency of the library that the process lacks, such as Jackson for log4j-core's
     * {@code JsonConfiguration}) is no reason to refuse: the new code resolves it lazily, as the
     * new release's would in this process, and fails where it reaches it as the old code does.
     * If the new code cannot even be defined without it, the definition fails instead.
     *
     * @param alsoNamedByRunningClass whether the loaded class's own bytecode names a missing class (internal name)
     * @throws MissingClassException naming the first missing class the running class does not name
     */
    void checkClassesResolve(ClassLoader loader, byte[] bytes, java.util.Set<String> addedByThisPatch, String patchId,
                             java.util.function.Predicate<String> alsoNamedByRunningClass) {
        ClassModel model = ClassFile.of().parse(bytes);
        String self = model.thisClass().asInternalName();
        for (var entry : model.constantPool()) {
            if (entry instanceof java.lang.classfile.constantpool.ClassEntry ce) {
                String n = ce.asInternalName();
                if (n.startsWith("[") || n.equals(self) || addedByThisPatch.contains(n)) {
                    continue;
                }
                try {
                    Class.forName(n.replace('/', '.'), false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    if (alsoNamedByRunningClass.test(n)) {
                        continue;
                    }
                    throw new MissingClassException(n.replace('/', '.'), "patch " + patchId + ": its new code in "
                            + self.replace('/', '.') + " refers to class " + n.replace('/', '.')
                            + ", which this process does not have");
                }
            }
        }
    }

    /**
     * New code that names a class its loader cannot load: the message says which; the
     * preparer adds the remedy, or defers the class ({@link UnlinkableClass}).
     */
    static final class MissingClassException extends PatchRejectedException {
        private static final long serialVersionUID = 1L;
        private final String missing;

        MissingClassException(String missing, String message) {
            super(message);
            this.missing = missing;
        }

        /** The class the new code names that is missing, in binary form. */
        String missing() {
            return missing;
        }
    }

    private boolean needsFixup(ClassLoader loader, ClassModel model) {
        for (MethodModel m : model.methods()) {
            CodeModel code = m.code().orElse(null);
            if (code == null) {
                continue;
            }
            for (CodeElement e : code) {
                if ((e instanceof FieldInstruction f && isEarlierField(loader, f))
                        || (e instanceof InvokeInstruction v && isEarlierMethod(loader, v))) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean isEarlierField(ClassLoader loader, FieldInstruction f) {
        String owner = f.owner().asInternalName();
        return !registry.loaded(owner).isEmpty()
                && fields.find(loader, owner, f.name().stringValue(), f.type().stringValue()) != null;
    }

    private boolean isEarlierMethod(ClassLoader loader, InvokeInstruction v) {
        String owner = v.owner().asInternalName();
        String name = v.name().stringValue();
        String desc = v.type().stringValue();
        if (name.startsWith("<") || registry.loaded(owner).isEmpty()) {
            return false;
        }
        MethodSlot s = registry.find(loader, owner, name, desc);
        if (s == null) {
            return false;
        }
        for (MethodRegistry.LoadedClassInfo i : registry.loaded(owner)) {
            if (i.loader() == loader && i.methods().contains(s)) {
                return false;
            }
        }
        return true;
    }

    /** Links references to earlier patches' members; a class, not a lambda (no call-site linkage at the patch instant). */
    private final class Rewrite implements CodeTransform {
        private final ClassLoader loader;

        Rewrite(ClassLoader loader) {
            this.loader = loader;
        }

        @Override
        public void accept(CodeBuilder cb, CodeElement e) {
                if (e instanceof FieldInstruction f && isEarlierField(loader, f)) {
                    boolean isStatic = f.opcode() == Opcode.GETSTATIC || f.opcode() == Opcode.PUTSTATIC;
                    boolean get = f.opcode() == Opcode.GETSTATIC || f.opcode() == Opcode.GETFIELD;
                    ClassDesc o = f.owner().asSymbol();
                    ClassDesc t = f.typeSymbol();
                    MethodTypeDesc site = get
                            ? (isStatic ? MethodTypeDesc.of(t) : MethodTypeDesc.of(t, o))
                            : (isStatic ? MethodTypeDesc.of(ConstantDescs.CD_void, t) : MethodTypeDesc.of(ConstantDescs.CD_void, o, t));
                    cb.invokedynamic(DynamicCallSiteDesc.of(LINK_FIELD, get ? "get" : "put", site,
                            f.owner().asInternalName(), f.name().stringValue(), f.type().stringValue(), isStatic ? 1 : 0));
                } else if (e instanceof InvokeInstruction v && isEarlierMethod(loader, v)) {
                    boolean isStatic = v.opcode() == Opcode.INVOKESTATIC;
                    MethodTypeDesc site = isStatic ? v.typeSymbol() : v.typeSymbol().insertParameterTypes(0, v.owner().asSymbol());
                    cb.invokedynamic(DynamicCallSiteDesc.of(LINK_ADDED, v.name().stringValue(), site,
                            v.owner().asInternalName(), v.name().stringValue(), v.type().stringValue(), isStatic ? 1 : 0));
                } else {
                    cb.with(e);
                }
        }
    }
}
