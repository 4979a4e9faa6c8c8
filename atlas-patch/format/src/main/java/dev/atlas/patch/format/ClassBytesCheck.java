package dev.atlas.patch.format;

import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.BootstrapMethodEntry;
import java.lang.classfile.constantpool.ConstantDynamicEntry;
import java.lang.classfile.constantpool.ConstantPool;
import java.lang.classfile.constantpool.InvokeDynamicEntry;
import java.lang.classfile.constantpool.LoadableConstantEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.ModuleEntry;
import java.lang.classfile.constantpool.NameAndTypeEntry;
import java.lang.classfile.constantpool.PackageEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LocalVariable;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.lang.classfile.instruction.TypeCheckInstruction;

/**
 * The check {@link PatchFile} makes of every class file in a patch before anything uses it:
 * a damaged class file is refused while the patch is read (as a
 * {@link MalformedPatchException}), in the CLI and again in the agent, never later in the
 * middle of applying the patch.
 *
 * <p>Threading: stateless.
 */
final class ClassBytesCheck {
    private ClassBytesCheck() {
    }

    /**
     * The ClassFile API parses lazily: visit every constant, bootstrap method, member,
     * attribute and instruction, and resolve every constant an instruction names, to find
     * damage now (the agent reads these lazily parsed parts when it links the new code).
     * (No fingerprint: this runs in the serving JVM when a patch is applied, where hashing a
     * canonical text of every class was measurable work for nothing.) Plain {@code instanceof}
     * chains, not a pattern switch: that is an invokedynamic linked at its first run, on the
     * patch path.
     */
    static void walk(ClassModel model) {
        ConstantPool pool = model.constantPool();
        for (PoolEntry e : pool) {
            resolve(e);
        }
        for (int i = 0; i < pool.bootstrapMethodCount(); i++) {
            BootstrapMethodEntry b = pool.bootstrapMethodEntry(i);
            b.bootstrapMethod().asSymbol();
            for (LoadableConstantEntry a : b.arguments()) {
                a.constantValue();
            }
        }
        model.thisClass().asSymbol();
        model.superclass();
        model.interfaces();
        model.attributes();
        for (FieldModel f : model.fields()) {
            f.fieldName().stringValue();
            f.fieldType().stringValue();
            f.attributes();
        }
        for (MethodModel m : model.methods()) {
            m.methodName().stringValue();
            m.methodTypeSymbol();
            m.attributes();
            CodeModel code = m.code().orElse(null);
            if (code != null) {
                for (CodeElement e : code) {
                    operands(e);
                }
            }
        }
    }

    /** Reads a constant-pool entry and the entries it refers to. */
    private static void resolve(PoolEntry e) {
        if (e instanceof Utf8Entry u) {
            u.stringValue();
        } else if (e instanceof MemberRefEntry r) {
            r.owner().asInternalName();
            r.name().stringValue();
            r.type().stringValue();
        } else if (e instanceof NameAndTypeEntry nt) {
            nt.name().stringValue();
            nt.type().stringValue();
        } else if (e instanceof InvokeDynamicEntry d) {
            d.name().stringValue();
            d.typeSymbol();
            d.bootstrap().bootstrapMethod().asSymbol();
        } else if (e instanceof ConstantDynamicEntry d) {
            d.name().stringValue();
            d.typeSymbol();
            d.bootstrap().bootstrapMethod().asSymbol();
        } else if (e instanceof LoadableConstantEntry c) {   // class, string, method handle and type, numbers
            c.constantValue();
        } else if (e instanceof ModuleEntry m) {
            m.name().stringValue();
        } else if (e instanceof PackageEntry pk) {
            pk.name().stringValue();
        }
    }

    /** Resolves the constants an instruction (or pseudo-instruction) names. */
    private static void operands(CodeElement e) {
        if (e instanceof FieldInstruction f) {
            f.owner().asInternalName();
            f.typeSymbol();
        } else if (e instanceof InvokeInstruction i) {
            i.owner().asInternalName();
            i.typeSymbol();
        } else if (e instanceof InvokeDynamicInstruction d) {
            d.invokedynamic();
            d.bootstrapArgs();
        } else if (e instanceof ConstantInstruction.LoadConstantInstruction c) {
            c.constantValue();
        } else if (e instanceof NewObjectInstruction n) {
            n.className().asSymbol();
        } else if (e instanceof NewReferenceArrayInstruction n) {
            n.componentType().asSymbol();
        } else if (e instanceof NewMultiArrayInstruction n) {
            n.arrayType().asSymbol();
        } else if (e instanceof TypeCheckInstruction t) {
            t.type().asSymbol();
        } else if (e instanceof ExceptionCatch c) {
            c.catchType();
        } else if (e instanceof LocalVariable v) {
            v.name().stringValue();
            v.typeSymbol();
        }
    }
}
