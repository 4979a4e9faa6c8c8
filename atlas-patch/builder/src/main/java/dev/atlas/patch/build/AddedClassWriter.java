package dev.atlas.patch.build;

import java.lang.classfile.ClassElement;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.FieldElement;
import java.lang.classfile.FieldModel;
import java.lang.classfile.Interfaces;
import java.lang.classfile.MethodElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Superclass;
import java.lang.classfile.AccessFlags;
import java.lang.classfile.attribute.EnclosingMethodAttribute;
import java.lang.classfile.attribute.ExceptionsAttribute;
import java.lang.classfile.attribute.InnerClassInfo;
import java.lang.classfile.attribute.InnerClassesAttribute;
import java.lang.classfile.attribute.NestHostAttribute;
import java.lang.classfile.attribute.NestMembersAttribute;
import java.lang.classfile.attribute.SignatureAttribute;
import java.lang.constant.ClassDesc;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an added class under its new name ({@code <name>$$AtlasPatch$<id8>}) with every
 * reference mapped and links to patched classes' new members rewritten.
 *
 * <p>Implementation notes: the class is defined as an ordinary class, not a nestmate of
 * anything, so {@code NestHost}/{@code NestMembers} and {@code EnclosingMethod} are dropped
 * and {@code InnerClasses} keeps only entries that do not involve a renamed class, or
 * relate two renamed classes; reflection then sees it as a top-level class. Private
 * constructors become package-private (new code of its former nestmates calls them; a
 * constructor is never dispatched virtually, so nothing else changes).
 */
final class AddedClassWriter {
    private AddedClassWriter() {
    }

    /**
     * The added classes in an order the runtime can define them in: each after the added
     * classes it extends or implements (defining a class loads its supertypes, and an added one
     * exists only once defined); otherwise by name.
     */
    static List<String> supertypesFirst(java.util.Collection<String> added, java.util.Map<String, ClassModel> models) {
        List<String> order = new ArrayList<>();
        java.util.Set<String> placed = new java.util.HashSet<>();
        for (String n : new java.util.TreeSet<>(added)) {
            place(n, added, models, placed, order);
        }
        return order;
    }

    private static void place(String n, java.util.Collection<String> added, java.util.Map<String, ClassModel> models,
                              java.util.Set<String> placed, List<String> order) {
        if (!placed.add(n)) {
            return;   // placed, or being placed (a cycle cannot occur in valid class files)
        }
        ClassModel m = models.get(n);
        if (m != null) {
            m.superclass().map(e -> e.asInternalName()).filter(added::contains)
                    .ifPresent(s -> place(s, added, models, placed, order));
            m.interfaces().stream().map(e -> e.asInternalName()).filter(added::contains)
                    .forEach(i -> place(i, added, models, placed, order));
        }
        order.add(n);
    }

    static byte[] write(ClassModel src, GenContext ctx) {
        String newName = ctx.remap.name(src.thisClass().asInternalName());
        CodeRewriter rewriter = new CodeRewriter(ctx, src, null);
        return ctx.classFile().build(ClassDesc.ofInternalName(newName), clb -> {
            for (ClassElement ce : src) {
                switch (ce) {
                    case Superclass s -> clb.withSuperclass(ctx.remap.map(s.superclassEntry().asSymbol()));
                    case Interfaces i -> clb.withInterfaceSymbols(i.interfaces().stream()
                            .map(x -> ctx.remap.map(x.asSymbol())).toList());
                    case FieldModel f -> clb.withField(f.fieldName().stringValue(), ctx.remap.map(f.fieldTypeSymbol()), fb -> {
                        for (FieldElement fe : f) {
                            switch (fe) {
                                case SignatureAttribute sig -> fb.with(SignatureAttribute.of(
                                        fb.constantPool().utf8Entry(ctx.remap.signature(sig.signature().stringValue()))));
                                default -> fb.with(fe);
                            }
                        }
                    });
                    case MethodModel m -> clb.withMethod(m.methodName().stringValue(), ctx.remap.map(m.methodTypeSymbol()),
                            m.methodName().equalsString("<init>") ? m.flags().flagsMask() & ~ClassFile.ACC_PRIVATE
                                    : m.flags().flagsMask(), mb -> {
                                for (MethodElement me : m) {
                                    switch (me) {
                                        case AccessFlags af -> {
                                        }
                                        case CodeModel code -> mb.transformCode(code, rewriter);
                                        case SignatureAttribute sig -> mb.with(SignatureAttribute.of(
                                                mb.constantPool().utf8Entry(ctx.remap.signature(sig.signature().stringValue()))));
                                        case ExceptionsAttribute ex -> mb.with(ExceptionsAttribute.ofSymbols(
                                                ex.exceptions().stream().map(x -> ctx.remap.map(x.asSymbol())).toList()));
                                        default -> mb.with(me);
                                    }
                                }
                            });
                    case InnerClassesAttribute ic -> {
                        List<InnerClassInfo> kept = new ArrayList<>();
                        for (InnerClassInfo info : ic.classes()) {
                            String inner = info.innerClass().asInternalName();
                            String outer = info.outerClass().map(o -> o.asInternalName()).orElse(null);
                            boolean innerRenamed = !ctx.remap.name(inner).equals(inner);
                            boolean outerRenamed = outer != null && !ctx.remap.name(outer).equals(outer);
                            if (!innerRenamed && !outerRenamed) {
                                kept.add(info);
                            } else if (innerRenamed && outerRenamed) {
                                kept.add(InnerClassInfo.of(ctx.remap.map(info.innerClass().asSymbol()),
                                        java.util.Optional.of(ctx.remap.map(info.outerClass().get().asSymbol())),
                                        info.innerName().map(n -> n.stringValue()), info.flagsMask()));
                            }
                        }
                        if (!kept.isEmpty()) {
                            clb.with(InnerClassesAttribute.of(kept));
                        }
                    }
                    case NestHostAttribute nh -> {
                    }
                    case NestMembersAttribute nm -> {
                    }
                    case EnclosingMethodAttribute em -> {
                    }
                    case SignatureAttribute sig -> clb.with(SignatureAttribute.of(
                            clb.constantPool().utf8Entry(ctx.remap.signature(sig.signature().stringValue()))));
                    // a Java 5/6 class file (before 51) may not hold the invokedynamic the rewritten code links
                    // through, and the class-file API verifies only type-checked (stack map) code: raised to 51
                    // with generated stack maps, as the agent raises such classes it instruments
                    case java.lang.classfile.ClassFileVersion v when v.majorVersion() < ClassFile.JAVA_7_VERSION ->
                            clb.withVersion(ClassFile.JAVA_7_VERSION, 0);
                    default -> clb.with(ce);
                }
            }
        });
    }
}
